#!/usr/bin/env bash
# Build the Vagrant box vm-local/debian-libvirt (provider libvirt, qcow2) for real full
# VMs (QEMU/TCG through vagrant-libvirt, see scripts/setup-libvirt.sh), locally, with no
# network beyond the Debian mirror apt already uses. Idempotent: does nothing when the box
# of this BOX_REV is installed and its kernel/initrd are in place.
#
# Usage: sudo bash scripts/build-libvirt-box.sh [--force]
#
# Root filesystem: the local docker image vm-local/debian:bookworm (scripts/build-image.sh;
# `docker create` + `docker export`, nothing is run) plus, in a chroot, the packages a VM
# needs (kernel, systemd, udev, ifupdown + DHCP, dbus for ACPI shutdown). apt in the chroot
# uses the mirror configured in the image (the host's). Without that image: debootstrap
# from the host's configured mirror.
#
# Guest: user vagrant (uid 1000, Vagrant's insecure public key, passwordless sudo), sshd
# enabled, eth0 by DHCP (systemd-networkd; ifupdown stays installed but masked; net.ifnames=0), root on /dev/vda (ext4, no partition
# table, no bootloader), serial console on ttyS0 (getty from console=ttyS0).
#
# Direct kernel boot: vagrant-libvirt's `kernel`/`initrd` options take HOST paths, so the
# kernel and initrd of the box live in a stable directory outside the box:
#     $STATE/<BOX_REV>/vmlinuz   $STATE/<BOX_REV>/initrd.img     (STATE=/var/lib/vm-local/libvirt-box)
#     cmd_line "root=/dev/vda rw console=ttyS0 net.ifnames=0"
# $STATE/rev holds the rev of the installed box, $STATE/<BOX_REV>/box.env the details
# (BOX_NAME BOX_VERSION KERNEL INITRD CMD_LINE KERNEL_VERSION BOX_FILE BOX_CATALOG ...),
# shell-sourceable. The box's own Vagrantfile sets those libvirt defaults too (driver qemu,
# kernel, initrd, cmd_line, no graphics), so a project Vagrantfile may omit them.
#
# The box is added (to root's VAGRANT_HOME) from a local catalog $STATE/<BOX_REV>/box.json
# with version <BOX_REV>.<build time>; the catalog and the box file box.tar stay there, so
# another VAGRANT_HOME gets the box offline by `vagrant box add <catalog>` or by
# config.vm.box_url = "file://<catalog>". vagrant-libvirt names its storage-pool copy of the
# box image after the box name and version (shared by all VAGRANT_HOMEs), so every build
# gets a fresh volume and a rebuilt box never reuses a stale one. Older versions of the box
# and their pool volumes are removed (a volume still backing a machine disk is kept); older
# $STATE/<rev>/ dirs are kept (defined domains still point at their kernel).
# Bump BOX_REV whenever the box contents change.
#
# Env:  VM_E2E_IMAGE     docker image to reuse (default vm-local/debian:bookworm)
#       VM_LIBVIRT_BOX   box name (default vm-local/debian-libvirt)
#       VM_LIBVIRT_STATE state dir (default /var/lib/vm-local/libvirt-box)
#       MIRROR           Debian mirror for the debootstrap fallback (default: the apt sources)
#       SUITE            Debian suite for the debootstrap fallback (default bookworm)
#       SIZE_G           virtual disk size in GB (default 4)
#       TMPDIR_BASE      parent of the scratch dir (default /var/tmp; always removed on exit)
set -euo pipefail

BOX_REV=3
BOX_NAME=${VM_LIBVIRT_BOX:-vm-local/debian-libvirt}
IMAGE=${VM_E2E_IMAGE:-vm-local/debian:bookworm}
STATE=${VM_LIBVIRT_STATE:-/var/lib/vm-local/libvirt-box}
SUITE=${SUITE:-bookworm}
SIZE_G=${SIZE_G:-4}
CMD_LINE="root=/dev/vda rw console=ttyS0 net.ifnames=0"
VM_PKGS="linux-image-amd64 systemd-sysv initramfs-tools udev ifupdown isc-dhcp-client kmod dbus openssh-server sudo"
# the debootstrap fallback also gets what build-image.sh puts into the docker image
BASE_PKGS="procps iproute2 rsync ca-certificates less busybox"
REV_DIR=$STATE/$BOX_REV
FIX="sudo bash scripts/setup-libvirt.sh"
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1 DEBIAN_FRONTEND=noninteractive

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
T_START=$(now)
PHASE_T=$T_START
phase_done() { local t; t=$(now); echo "build-libvirt-box: [$(secs "$PHASE_T" "$t")s] $*"; PHASE_T=$t; }
die() { echo "build-libvirt-box: ERROR: $*" >&2; exit 1; }

FORCE=0
case "${1:-}" in
  --force) FORCE=1 ;;
  "") ;;
  *) die "usage: $0 [--force]" ;;
esac

# installed version of $BOX_NAME for provider libvirt whose major part is $BOX_REV ("" if none)
installed_version() {
  vagrant box list 2>/dev/null | awk -v n="$BOX_NAME" -v r="$BOX_REV" '
    $1 == n && $2 == "(libvirt," { v = $3; sub(/\)$/, "", v); split(v, p, "."); if (p[1] == r) print v }' \
    | sort -V | tail -n 1
}
recorded() { sed -n "s/^$1=//p" "$REV_DIR/box.env" 2>/dev/null | tr -d "'" | head -n 1; }

# --- fast path: nothing to do ----------------------------------------------------------
if [ "$FORCE" = 0 ] && [ "$(cat "$STATE/rev" 2>/dev/null || true)" = "$BOX_REV" ] \
   && [ -s "$REV_DIR/vmlinuz" ] && [ -s "$REV_DIR/initrd.img" ] && [ -s "$REV_DIR/box.env" ] \
   && [ -s "$REV_DIR/box.tar" ] && [ -s "$REV_DIR/box.json" ]; then
  have=$(installed_version)
  if [ -n "$have" ] && [ "$have" = "$(recorded BOX_VERSION)" ]; then
    phase_done "box $BOX_NAME $have present (rev $BOX_REV); kernel $REV_DIR/vmlinuz initrd $REV_DIR/initrd.img"
    exit 0
  fi
fi

# --- preconditions ----------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "box $BOX_NAME (rev $BOX_REV) missing or stale, and building it needs root (chroot, mkfs). Run: $FIX"
missing=()
for c in vagrant qemu-img mkfs.ext4 chroot tar flock; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
[ ${#missing[@]} = 0 ] || die "missing commands: ${missing[*]}. Run: $FIX"
VAGRANT_PUB=
for f in /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub \
         /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
  if [ -r "$f" ]; then VAGRANT_PUB=$f; break; fi
done
[ -n "$VAGRANT_PUB" ] || die "cannot find Vagrant's keys/vagrant.pub (is vagrant installed?). Run: $FIX"

# one build at a time; a second caller waits, then finds the box and leaves (fast path)
mkdir -p /run/lock "$STATE"
exec 9>/run/lock/vm-libvirt-box.lock
if ! flock -n 9; then
  echo "build-libvirt-box: another build is running; waiting for it (up to 15 min)"
  flock -w 900 9 || die "timed out waiting for /run/lock/vm-libvirt-box.lock"
  if [ "$FORCE" = 0 ] && [ "$(cat "$STATE/rev" 2>/dev/null || true)" = "$BOX_REV" ] \
     && [ -n "$(installed_version)" ] && [ "$(installed_version)" = "$(recorded BOX_VERSION)" ]; then
    phase_done "box $BOX_NAME built by the other run"
    exit 0
  fi
fi

WORK=$(mktemp -d "${TMPDIR_BASE:-/var/tmp}/vm-libvirt-box.XXXXXX")
ROOT=$WORK/rootfs
cleanup() {
  local cid=${CID:-}
  [ -z "$cid" ] || docker rm -f "$cid" >/dev/null 2>&1 || true
  if [ -d "$WORK" ]; then
    # never let rm -rf follow proc/sys mounted inside the tree
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$WORK" 2>/dev/null || echo "build-libvirt-box: could not fully remove $WORK" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

have=$(installed_version)
if [ "$FORCE" = 1 ]; then why="--force"
elif [ -z "$have" ]; then why="box $BOX_NAME rev $BOX_REV not installed"
else why="state of rev $BOX_REV incomplete or not matching the installed box $have"; fi
echo "build-libvirt-box: building $BOX_NAME rev $BOX_REV ($why) in $WORK"

# --- 1. root filesystem ------------------------------------------------------------------
host_mirror() {
  local m
  m=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1 || true)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1 || true)
  echo "$m"
}
mkdir -p "$ROOT"
if command -v docker >/dev/null 2>&1 && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  SOURCE="docker image $IMAGE ($(docker image inspect "$IMAGE" --format '{{.Id}}' | cut -c8-19), rev $(docker image inspect "$IMAGE" --format '{{index .Config.Labels "dev.vm.image-rev"}}'))"
  CID=$(docker create "$IMAGE" /bin/true)
  docker export "$CID" | tar -C "$ROOT" --numeric-owner -xpf -
  docker rm "$CID" >/dev/null; CID=
  rm -f "$ROOT/.dockerenv"
  # the image has no apt lists (slimmed); its sources are the host's mirror at build time
  grep -qsE '^(deb |URIs:)' "$ROOT/etc/apt/sources.list" "$ROOT"/etc/apt/sources.list.d/* \
    || die "$IMAGE has no apt sources; rebuild it (sudo bash scripts/build-image.sh) or remove it to use debootstrap"
  phase_done "rootfs exported from $SOURCE"
  NEED_PKGS=$VM_PKGS
else
  command -v debootstrap >/dev/null 2>&1 || die "no docker image $IMAGE and no debootstrap. Run: $FIX"
  MIRROR=${MIRROR:-$(host_mirror)}
  [ -n "$MIRROR" ] || die "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set MIRROR=http://..."
  SOURCE="debootstrap $SUITE minbase from $MIRROR"
  echo "build-libvirt-box: no docker image $IMAGE -> $SOURCE (~70-150 s)"
  if ! debootstrap --variant=minbase --include="$(echo "$VM_PKGS $BASE_PKGS" | tr ' ' ',')" \
       "$SUITE" "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 30 "$WORK/debootstrap.log" >&2
    die "debootstrap failed (log above)"
  fi
  phase_done "rootfs by $SOURCE"
  NEED_PKGS=
fi

# --- 2. VM packages (chroot apt) ---------------------------------------------------------------
# A small initrd: only what mounting /dev/vda needs (MODULES=most: 36 MB, ~10 s more of
# kernel boot under TCG), plus the NIC's driver so eth0 exists before systemd starts.
# Written before the kernel package so its postinst builds it so.
write_initramfs_conf() {
  mkdir -p "$ROOT/etc/initramfs-tools/conf.d" "$ROOT/usr/share/initramfs-tools/modules.d"
  echo 'MODULES=list' >"$ROOT/etc/initramfs-tools/conf.d/vm-local.conf"
  printf '%s\n' virtio_pci virtio_blk ext4 virtio_net >"$ROOT/usr/share/initramfs-tools/modules.d/vm-local-virtio"
}
mount -t proc proc "$ROOT/proc"
rm -f "$ROOT/etc/resolv.conf"
cat /etc/resolv.conf >"$ROOT/etc/resolv.conf"   # apt in the chroot resolves the mirror like the host
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"   # start no daemon inside the chroot
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
if [ -n "$NEED_PKGS" ]; then
  write_initramfs_conf
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  if ! { chroot "$ROOT" apt-get update -q \
         && chroot "$ROOT" apt-get install -y -q --no-install-recommends $NEED_PKGS; } >"$WORK/apt.log" 2>&1; then
    tail -n 30 "$WORK/apt.log" >&2
    die "apt-get in the chroot failed (log above)"
  fi
  phase_done "chroot apt-get install $NEED_PKGS"
else
  write_initramfs_conf   # debootstrap already built the big one
  if ! chroot "$ROOT" update-initramfs -u -k all >"$WORK/initramfs.log" 2>&1; then
    tail -n 30 "$WORK/initramfs.log" >&2
    die "update-initramfs in the chroot failed (log above)"
  fi
  phase_done "initrd rebuilt with MODULES=list"
fi
KV=$(find "$ROOT/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V | tail -n 1)
if [ -z "$KV" ] || [ ! -s "$ROOT/boot/vmlinuz-$KV" ] || [ ! -s "$ROOT/boot/initrd.img-$KV" ]; then
  die "no kernel/initrd in the rootfs (lib/modules: '${KV:-none}')"
fi

# --- 3. configure the guest -----------------------------------------------------------------
chroot "$ROOT" /bin/sh -eu <<'CHROOT'
if id vagrant >/dev/null 2>&1; then
  [ "$(id -u vagrant)" = 1000 ] || { echo "user vagrant has uid $(id -u vagrant), want 1000" >&2; exit 1; }
else
  useradd -m -s /bin/bash -U -u 1000 vagrant
fi
echo 'vagrant:vagrant' | chpasswd
printf 'vagrant ALL=(ALL) NOPASSWD:ALL\nDefaults:vagrant !requiretty\n' > /etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
cat > /etc/ssh/sshd_config.d/vm.conf <<'CONF'
UseDNS no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PrintMotd no
PrintLastLog no
CONF
: > /etc/motd
# Debian's ~/.bash_logout runs clear_console, which fails without a console and turns the
# exit status of `vagrant ssh -c ...` into 1
rm -f /etc/skel/.bash_logout /home/vagrant/.bash_logout /root/.bash_logout
[ -s /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A
systemctl enable ssh.service >/dev/null 2>&1
# periodic jobs that only burn emulated CPU in a short-lived test VM (apt-daily would also
# try to reach the mirror, which the loopback-only NIC does not allow)
systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
  fstrim.timer >/dev/null 2>&1
# a VM has no use for the docker image's sshd wrapper
rm -f /usr/local/sbin/vm-sshd
# Boot time under TCG (systemd-analyze critical-chain; rev 1: ssh up 29 s into userspace, rev 3: ~8 s):
# ifupdown's networking.service waits for `udevadm settle` (14 s of coldplugging every device) and
# then dhclient and its shell hooks (7 s); ssh.service waits for network.target behind it.
# systemd-networkd does DHCP in-process and reaches network.target at once, so sshd starts while
# the lease is negotiated; eth0's driver (virtio_net) is in the initrd.
mkdir -p /etc/systemd/network
printf '[Match]\nName=eth0\n\n[Network]\nDHCP=ipv4\n' > /etc/systemd/network/eth0.network
systemctl disable networking.service >/dev/null 2>&1 || true
systemctl mask networking.service ifupdown-pre.service >/dev/null 2>&1
systemctl enable systemd-networkd.service >/dev/null 2>&1
CHROOT
install -m 0600 "$VAGRANT_PUB" "$ROOT/home/vagrant/.ssh/authorized_keys"
chroot "$ROOT" chown -R vagrant:vagrant /home/vagrant/.ssh
echo '/dev/vda / ext4 defaults,errors=remount-ro 0 1' >"$ROOT/etc/fstab"
printf 'auto lo\niface lo inet loopback\n' >"$ROOT/etc/network/interfaces"   # eth0: systemd-networkd
echo vm-libvirt >"$ROOT/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 vm-libvirt\n::1 localhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
: >"$ROOT/etc/resolv.conf"   # dhclient writes it at boot
printf '%s rev %s, built %s from %s\n' "$BOX_NAME" "$BOX_REV" "$(date -u +%FT%TZ)" "$SOURCE" >"$ROOT/etc/vm-box-release"

# --- 4. slim ------------------------------------------------------------------------------------
mkdir -p "$WORK/kernel"
cp "$ROOT/boot/vmlinuz-$KV" "$WORK/kernel/vmlinuz"
cp "$ROOT/boot/initrd.img-$KV" "$WORK/kernel/initrd.img"
chmod 0644 "$WORK/kernel/vmlinuz" "$WORK/kernel/initrd.img"
chroot "$ROOT" apt-get clean
rm -f "$ROOT/usr/sbin/policy-rc.d"
umount "$ROOT/proc"
# the guest boots the host copies of kernel + initrd (direct kernel boot)
rm -f "$ROOT/boot/vmlinuz-$KV" "$ROOT/boot/initrd.img-$KV" "$ROOT/vmlinuz" "$ROOT/initrd.img" \
  "$ROOT/vmlinuz.old" "$ROOT/initrd.img.old"
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/var/cache/debconf/*-old \
  "$ROOT"/var/log/*.log "$ROOT"/var/log/apt/* \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* "$ROOT"/tmp/* "$ROOT"/var/tmp/*
find "$ROOT/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
# kernel modules no QEMU guest with virtio devices loads (the initrd was built before this)
M=$ROOT/lib/modules/$KV/kernel
rm -rf "$M"/drivers/{gpu,media,net/wireless,infiniband,staging,bluetooth,isdn,iio,hid,usb,scsi/qla2xxx,scsi/lpfc,net/ethernet} \
  "$M"/sound "$M"/net/{bluetooth,wireless,mac80211}
chroot "$ROOT" depmod "$KV"
phase_done "guest configured and slimmed (kernel $KV, rootfs $(du -sm "$ROOT" | cut -f1) MB)"

# --- 5. disk image -> box ---------------------------------------------------------------------------
BOXDIR=$WORK/box
mkdir -p "$BOXDIR"
truncate -s "${SIZE_G}G" "$WORK/disk.raw"
mkfs.ext4 -q -F -L root -d "$ROOT" "$WORK/disk.raw"
qemu-img convert -O qcow2 "$WORK/disk.raw" "$BOXDIR/box.img"
rm -f "$WORK/disk.raw"
rm -rf --one-file-system "$ROOT"
printf '{"provider":"libvirt","format":"qcow2","virtual_size":%s}\n' "$SIZE_G" >"$BOXDIR/metadata.json"
# defaults for any Vagrantfile using the box; a project Vagrantfile overrides them
cat >"$BOXDIR/Vagrantfile" <<EOF
# $BOX_NAME rev $BOX_REV: direct kernel boot of the host copies of its kernel/initrd (QEMU, TCG)
Vagrant.configure("2") do |config|
  config.vm.guest = :debian
  config.vm.provider :libvirt do |lv|
    lv.driver = "qemu"
    lv.kernel = "$REV_DIR/vmlinuz"
    lv.initrd = "$REV_DIR/initrd.img"
    lv.cmd_line = "$CMD_LINE"
    lv.graphics_type = "none"
    lv.video_type = "none"
  end
end
EOF
tar -C "$BOXDIR" -cf "$WORK/box.tar" metadata.json Vagrantfile box.img
rm -f "$BOXDIR/box.img"
phase_done "box image: ${SIZE_G}G ext4 -> qcow2 -> $(du -m "$WORK/box.tar" | cut -f1) MB tar"

# --- 6. install: kernel dir, catalog, vagrant box add -----------------------------------------------
BOX_VERSION="$BOX_REV.$(date -u +%Y%m%d%H%M%S)"
mkdir -p "$REV_DIR"
install -m 0644 "$WORK/kernel/vmlinuz" "$REV_DIR/vmlinuz.new"
install -m 0644 "$WORK/kernel/initrd.img" "$REV_DIR/initrd.img.new"
mv -f "$REV_DIR/vmlinuz.new" "$REV_DIR/vmlinuz"
mv -f "$REV_DIR/initrd.img.new" "$REV_DIR/initrd.img"
SHA=$(sha256sum "$WORK/box.tar" | cut -d' ' -f1)
# the box file and its catalog stay: any other VAGRANT_HOME (the e2e sandboxes use private
# ones) gets the box offline with `vagrant box add $REV_DIR/box.json`, or on its first
# `vagrant up` with config.vm.box_url = "file://$REV_DIR/box.json"
mv -f "$WORK/box.tar" "$REV_DIR/box.tar.new"
mv -f "$REV_DIR/box.tar.new" "$REV_DIR/box.tar"
cat >"$REV_DIR/box.json.new" <<EOF
{"name":"$BOX_NAME","description":"Debian $SUITE for QEMU/TCG via vagrant-libvirt, rev $BOX_REV","versions":[{"version":"$BOX_VERSION","providers":[{"name":"libvirt","url":"file://$REV_DIR/box.tar","checksum_type":"sha256","checksum":"$SHA"}]}]}
EOF
mv -f "$REV_DIR/box.json.new" "$REV_DIR/box.json"
if ! vagrant box add --force "$REV_DIR/box.json" >"$WORK/box-add.log" 2>&1; then
  cat "$WORK/box-add.log" >&2
  die "vagrant box add failed (log above)"
fi
for v in $(vagrant box list 2>/dev/null | awk -v n="$BOX_NAME" '$1 == n && $2 == "(libvirt," { v = $3; sub(/\)$/, "", v); print v }'); do
  [ "$v" = "$BOX_VERSION" ] && continue
  if vagrant box remove --force --provider libvirt --box-version "$v" "$BOX_NAME" >/dev/null 2>&1; then
    # vagrant leaves the emptied version directory behind
    rmdir "${VAGRANT_HOME:-$HOME/.vagrant.d}/boxes/${BOX_NAME//\//-VAGRANTSLASH-}/$v" 2>/dev/null || true
    echo "build-libvirt-box: removed older box version $v"
  else
    echo "build-libvirt-box: could not remove older box version $v" >&2
  fi
done
# vagrant-libvirt's pool copies of older versions of this box: delete those no volume
# (a machine's disk overlay) still uses as its backing file
prune_pool_volumes() {
  local uri=qemu:///system prefix="${BOX_NAME//\//-VAGRANTSLASH-}_vagrant_box_image_" pool vol path used=""
  command -v virsh >/dev/null 2>&1 && timeout 20 virsh -c "$uri" capabilities >/dev/null 2>&1 || return 0
  local pools
  pools=$(virsh -c "$uri" pool-list --name 2>/dev/null || true)
  for pool in $pools; do
    for vol in $(virsh -c "$uri" vol-list --pool "$pool" 2>/dev/null | awk 'NR > 2 && NF { print $1 }'); do
      used+=$(virsh -c "$uri" vol-dumpxml --pool "$pool" "$vol" 2>/dev/null \
        | sed -n '/<backingStore>/,/<\/backingStore>/s:.*<path>\(.*\)</path>.*:\1:p')$'\n'
    done
  done
  for pool in $pools; do
    for vol in $(virsh -c "$uri" vol-list --pool "$pool" 2>/dev/null | awk 'NR > 2 && NF { print $1 }'); do
      case "$vol" in "$prefix${BOX_VERSION}_"*) continue ;; "$prefix"*) ;; *) continue ;; esac
      path=$(virsh -c "$uri" vol-path --pool "$pool" "$vol" 2>/dev/null || true)
      if [ -n "$path" ] && grep -qxF "$path" <<<"$used"; then
        echo "build-libvirt-box: keeping pool volume $vol (still backs a machine disk)"
      elif virsh -c "$uri" vol-delete --pool "$pool" "$vol" >/dev/null 2>&1; then
        echo "build-libvirt-box: deleted pool volume $vol of an older box version"
      fi
    done
  done
}
prune_pool_volumes

{
  echo "# written by scripts/build-libvirt-box.sh; shell-sourceable"
  printf "BOX_NAME='%s'\nBOX_VERSION='%s'\nBOX_REV='%s'\n" "$BOX_NAME" "$BOX_VERSION" "$BOX_REV"
  printf "KERNEL='%s'\nINITRD='%s'\nCMD_LINE='%s'\n" "$REV_DIR/vmlinuz" "$REV_DIR/initrd.img" "$CMD_LINE"
  printf "KERNEL_VERSION='%s'\nSOURCE='%s'\nBOX_SHA256='%s'\n" "$KV" "$SOURCE" "$SHA"
  printf "BOX_FILE='%s'\nBOX_CATALOG='%s'\n" "$REV_DIR/box.tar" "$REV_DIR/box.json"
} >"$REV_DIR/box.env"
echo "$BOX_REV" >"$STATE/rev"
phase_done "vagrant box add $BOX_NAME $BOX_VERSION"

echo "build-libvirt-box: box $BOX_NAME $BOX_VERSION (rev $BOX_REV) built in $(secs "$T_START" "$(now)")s"
echo "build-libvirt-box:   kernel   $REV_DIR/vmlinuz"
echo "build-libvirt-box:   initrd   $REV_DIR/initrd.img"
echo "build-libvirt-box:   cmd_line $CMD_LINE"
echo "build-libvirt-box:   catalog  $REV_DIR/box.json (box file $REV_DIR/box.tar, for other VAGRANT_HOMEs)"
