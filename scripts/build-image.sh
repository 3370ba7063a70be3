#!/usr/bin/env bash
# Build the Vagrant-ready Debian base image used by the docker provider, without
# any registry or Dockerfile: debootstrap (minbase, from the Debian mirror apt
# already uses) -> configure -> `docker import`.
#
# Usage: sudo bash scripts/build-image.sh [IMAGE]     (default: vm-local/debian:bookworm)
#
# The image contains:
#   - openssh-server, sudo, procps, iproute2, rsync, ca-certificates, less
#   - busybox, a tiny TCP listener for tests that need a fake service on a port:
#     `busybox httpd -f -p 127.0.0.1:PORT -h DIR` (loopback only). Avoid `busybox nc -l`:
#     it cannot bind an address and would listen on all interfaces of the host network.
#   - user `vagrant` (passwordless sudo, Vagrant's insecure public key), no ~/.bash_logout
#     (Debian's runs `clear_console`, which fails without a console and turns the exit
#     status of `vagrant ssh -c 'set -e; ...'` into 1)
#   - CMD /usr/local/sbin/vm-sshd: sshd -D -e on ${SSH_LISTEN:-127.0.0.1}:${SSH_PORT:-2222}.
#     Containers run with --network=host, so sshd MUST stay on loopback and use a port
#     unique per machine (the vm tool passes SSH_PORT via `docker run -e`).
#     With VM_HOST_UID/VM_HOST_GID set (`docker run -e`, by vm) it first gives `vagrant` those
#     ids (rev 3+); without them the container behaves as rev 2 did.
#   - label dev.vm.image-rev=$IMAGE_REV; scripts/setup-host.sh rebuilds when it differs.
#     Bump IMAGE_REV whenever the image contents change.
#
# Env:  MIRROR     Debian mirror URL (default: first URI in the apt sources)
#       SUITE      Debian suite (default bookworm)
#       TMPDIR_BASE  parent of the scratch dir (default /var/tmp); the scratch dir is
#                  always removed on exit
set -euo pipefail

IMAGE_REV=3
IMAGE=${1:-vm-local/debian:bookworm}
SUITE=${SUITE:-bookworm}
PKGS=openssh-server,sudo,procps,iproute2,rsync,ca-certificates,less,busybox

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
die() { echo "build-image: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap + chroot): sudo bash $0 $*"
for c in debootstrap docker tar chroot; do
  command -v "$c" >/dev/null 2>&1 || die "missing command: $c (run: sudo bash scripts/setup-host.sh)"
done
docker version >/dev/null 2>&1 || die "docker daemon not answering (run: sudo bash scripts/setup-host.sh)"

if [ -z "${MIRROR:-}" ]; then
  MIRROR=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" && $0 !~ /security/ { print $2; exit }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || die "no Debian mirror found in the apt sources; set MIRROR=http://..."
fi

# Vagrant's well-known insecure public key ships inside the vagrant gem.
VAGRANT_PUB=${VAGRANT_PUB:-$(ls -1 /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub \
  /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub 2>/dev/null | head -n 1 || true)}
[ -n "$VAGRANT_PUB" ] && [ -r "$VAGRANT_PUB" ] || die "cannot find Vagrant's keys/vagrant.pub (is vagrant installed?)"

WORK=$(mktemp -d "${TMPDIR_BASE:-/var/tmp}/vm-image.XXXXXX")
ROOT=$WORK/rootfs
cleanup() {
  # debootstrap mounts proc/sys inside the tree; never let rm -rf follow them
  if [ -d "$WORK" ]; then
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$WORK" 2>/dev/null || echo "build-image: could not fully remove $WORK" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$(now)
echo "== debootstrap $SUITE minbase from $MIRROR (+ $PKGS) in $WORK"
if ! debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
  tail -n 30 "$WORK/debootstrap.log" >&2
  die "debootstrap failed"
fi
t1=$(now)

echo "== configure vagrant user, sudo, sshd"
chroot "$ROOT" /bin/sh -eu <<'CHROOT'
useradd -m -s /bin/bash -U vagrant
echo 'vagrant:vagrant' | chpasswd
printf 'vagrant ALL=(ALL) NOPASSWD:ALL\nDefaults:vagrant !requiretty\n' > /etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
mkdir -p /run/sshd
cat > /etc/ssh/sshd_config.d/vm.conf <<'CONF'
UseDNS no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PrintMotd no
PrintLastLog no
CONF
: > /etc/motd
rm -f /etc/skel/.bash_logout /home/vagrant/.bash_logout /root/.bash_logout
CHROOT
install -m 0600 "$VAGRANT_PUB" "$ROOT/home/vagrant/.ssh/authorized_keys"
chroot "$ROOT" chown -R vagrant:vagrant /home/vagrant/.ssh

cat > "$ROOT/usr/local/sbin/vm-sshd" <<'ENTRY'
#!/bin/sh
# vm-sshd: sshd in the foreground on ${SSH_LISTEN:-127.0.0.1}:${SSH_PORT:-2222}.
# Containers share the host network namespace: loopback only, one port per machine.
#
# VM_HOST_UID / VM_HOST_GID (set by vm when it creates the container): the uid/gid of the host user
# running vm. Before sshd starts, i.e. before anything runs as `vagrant`, the guest user takes them
# (Dev Containers' updateRemoteUserUID), so files it writes in bind mounts belong to that host user.
# Non-unique (-o): the ids may be taken in the image, 0 included (a root host user gets a root guest
# user). Only /home/vagrant is chowned. Unset: the image's own 1000:1000, as before.
set -e
PORT=${SSH_PORT:-2222}
LISTEN=${SSH_LISTEN:-127.0.0.1}
GUEST_USER=vagrant

die() { echo "vm-sshd: $*" >&2; exit 1; }
# a decimal id 0..4294967294 ((uid_t)-1 means "no id" to the kernel)
check_id() {
  case $2 in '' | *[!0-9]*) die "$1='$2' is not a decimal id";; esac
  [ "${#2}" -le 10 ] && [ "$2" -le 4294967294 ] || die "$1=$2 is out of range (0-4294967294)"
}

if [ -n "${VM_HOST_UID:-}${VM_HOST_GID:-}" ]; then
  HAVE_UID=$(id -u "$GUEST_USER")
  HAVE_GID=$(id -g "$GUEST_USER")
  WANT_UID=${VM_HOST_UID:-$HAVE_UID}
  WANT_GID=${VM_HOST_GID:-$HAVE_GID}
  check_id VM_HOST_UID "$WANT_UID"
  check_id VM_HOST_GID "$WANT_GID"
  # a container keeps its files across restarts: this runs once, on the first start
  if [ "$HAVE_UID:$HAVE_GID" != "$WANT_UID:$WANT_GID" ]; then
    # groupmod also moves the user's primary group
    [ "$HAVE_GID" = "$WANT_GID" ] || groupmod -o -g "$WANT_GID" "$GUEST_USER"
    [ "$HAVE_UID" = "$WANT_UID" ] || usermod -o -u "$WANT_UID" "$GUEST_USER"
    chown -R "$WANT_UID:$WANT_GID" "/home/$GUEST_USER"
    # sudo names the caller by uid: a uid the image gives another user first (100 = sshd) is not `vagrant` to it
    printf '%s ALL=(ALL) NOPASSWD:ALL\n#%s ALL=(ALL) NOPASSWD:ALL\nDefaults:%s !requiretty\n' \
      "$GUEST_USER" "$WANT_UID" "$GUEST_USER" > "/etc/sudoers.d/$GUEST_USER"
    echo "vm-sshd: $GUEST_USER is now uid $WANT_UID, gid $WANT_GID (was $HAVE_UID:$HAVE_GID)" >&2
  fi
fi

# sshd refuses every uid-0 login under the image's `PermitRootLogin no`; keys only, as for vagrant
ROOT_LOGIN=no
[ "$(id -u "$GUEST_USER")" != 0 ] || ROOT_LOGIN=prohibit-password

mkdir -p /run/sshd && chmod 0755 /run/sshd
ssh-keygen -A >/dev/null 2>&1 || true
exec /usr/sbin/sshd -D -e -o "ListenAddress=$LISTEN" -o "Port=$PORT" -o "PermitRootLogin=$ROOT_LOGIN"
ENTRY
chmod 0755 "$ROOT/usr/local/sbin/vm-sshd"

echo "== slim down"
chroot "$ROOT" apt-get clean
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/log/*.log \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/tmp/* "$ROOT"/var/tmp/*
find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
t2=$(now)

echo "== docker import -> $IMAGE"
tar --numeric-owner -C "$ROOT" -c . | docker import \
  --change 'ENV SSH_PORT=2222' \
  --change 'CMD ["/usr/local/sbin/vm-sshd"]' \
  --change "LABEL dev.vm.image-rev=$IMAGE_REV" \
  --change 'LABEL org.opencontainers.image.description=vagrant-ready-debian-minbase' \
  --message "debootstrap $SUITE minbase + vagrant user (vm test base image rev $IMAGE_REV)" \
  - "$IMAGE" >/dev/null
t3=$(now)

echo "== done: debootstrap $(secs "$t0" "$t1")s, configure+slim $(secs "$t1" "$t2")s, import $(secs "$t2" "$t3")s, total $(secs "$t0" "$t3")s"
docker image ls "$IMAGE" --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'
