#!/usr/bin/env bash
# Prepare a Debian 12 host for real full VMs: QEMU (TCG, no KVM) through Debian's
# vagrant-libvirt, with loopback-only user-mode networking (no libvirt network, no bridge,
# no dnsmasq). Idempotent: every step is skipped when its result is already there.
#
#   sudo bash scripts/setup-libvirt.sh        (scripts/setup-host.sh runs it when
#                                              VM_FULL_VMS=1 or CI=true)
#
# 1. packages: vagrant-libvirt libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
#    qemu-system-x86 qemu-utils debootstrap rsync e2fsprogs (apt, --no-install-recommends:
#    no libvirt-daemon-system, hence no default network and no init scripts)
# 2. /etc/libvirt/qemu.conf: user = "root", group = "root". /dev/kvm is root-only here; with
#    QEMU as libvirt-qemu, libvirtd decides on every call that its cached QEMU capabilities
#    are stale and re-probes QEMU (each `virsh define` ~51 s instead of 0.02 s). QEMU as root
#    also makes 9p synced folders with accessmode "passthrough" work. Only those two keys
#    are set; the rest of an existing file is kept.
# 3. virtlogd + libvirtd without systemd, when `virsh -c qemu:///system capabilities` does
#    not answer: started detached (setsid nohup), pidfiles /run/vm-virtlogd.pid and
#    /run/vm-libvirtd.pid, logs /var/log/vm-virtlogd.log and /var/log/vm-libvirtd.log.
#    libvirtd is restarted (by its pidfile) when step 2 changed qemu.conf under it.
# 4. the box vm-local/debian-libvirt (scripts/build-libvirt-box.sh; rebuilt when its
#    BOX_REV changes). Kernel/initrd for direct kernel boot: /var/lib/vm-local/libvirt-box/<rev>/.
#
# Without root it only checks, and fails with the command to run when anything is missing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
URI=qemu:///system
QEMU_CONF=/etc/libvirt/qemu.conf
QEMU_CONF_MARK="# vm (scripts/setup-libvirt.sh): QEMU runs as root - /dev/kvm is root-only, 9p passthrough"
VIRTLOGD_PID=/run/vm-virtlogd.pid
LIBVIRTD_PID=/run/vm-libvirtd.pid
VIRTLOGD_LOG=/var/log/vm-virtlogd.log
LIBVIRTD_LOG=/var/log/vm-libvirtd.log
PKGS="vagrant-libvirt libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils debootstrap rsync e2fsprogs"
FIX="sudo bash scripts/setup-libvirt.sh"
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
T_START=$(now)
PHASE_T=$T_START
phase_done() { local t; t=$(now); echo "setup-libvirt: [$(secs "$PHASE_T" "$t")s] $*"; PHASE_T=$t; }
die() { echo "setup-libvirt: ERROR: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
virsh_ok() { timeout 20 virsh -c "$URI" capabilities >/dev/null 2>&1; }

# --- 1. packages ---------------------------------------------------------------------------
missing_things() {
  local c out=()
  for c in vagrant virsh libvirtd virtlogd qemu-system-x86_64 qemu-img debootstrap rsync mkfs.ext4; do
    command -v "$c" >/dev/null 2>&1 || out+=("$c")
  done
  [ "$(dpkg-query -W -f='${Status}' vagrant-libvirt 2>/dev/null || true)" = "install ok installed" ] \
    || out+=("vagrant-libvirt")
  echo "${out[*]:-}"
}
MISSING=$(missing_things)
if [ -n "$MISSING" ]; then
  APT_CMD="apt-get update && apt-get install -y --no-install-recommends $PKGS"
  is_root || die "missing: $MISSING. Run as root: sudo sh -c '$APT_CMD'  (or: $FIX)"
  echo "setup-libvirt: missing: $MISSING -> installing packages"
  export DEBIAN_FRONTEND=noninteractive
  # wait for a concurrent apt/dpkg instead of failing on its lock
  apt-get -o DPkg::Lock::Timeout=600 update -q
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $PKGS
  MISSING=$(missing_things)
  [ -z "$MISSING" ] || die "still missing after apt-get install: $MISSING"
  phase_done "packages installed"
else
  phase_done "packages present ($(dpkg-query -W -f='vagrant-libvirt ${Version}' vagrant-libvirt), $(qemu-system-x86_64 --version | head -n 1))"
fi

# --- 2. qemu.conf ------------------------------------------------------------------------------
qemu_conf_ok() {
  grep -qsE '^[[:space:]]*user[[:space:]]*=[[:space:]]*"root"[[:space:]]*$' "$QEMU_CONF" \
    && grep -qsE '^[[:space:]]*group[[:space:]]*=[[:space:]]*"root"[[:space:]]*$' "$QEMU_CONF" \
    && [ "$(grep -cE '^[[:space:]]*(user|group)[[:space:]]*=' "$QEMU_CONF")" = 2 ]
}
QEMU_CONF_CHANGED=0
if qemu_conf_ok; then
  phase_done "$QEMU_CONF: user/group root"
else
  is_root || die "$QEMU_CONF must set user = \"root\" and group = \"root\". Run: $FIX"
  mkdir -p "$(dirname "$QEMU_CONF")"
  touch "$QEMU_CONF"
  BACKUP_NOTE=""
  if [ -s "$QEMU_CONF" ]; then
    cp -p "$QEMU_CONF" "$QEMU_CONF.vm-bak"
    BACKUP_NOTE=" (previous file: $QEMU_CONF.vm-bak)"
  fi
  append=()
  for key in user group; do
    if grep -qE "^[[:space:]]*${key}[[:space:]]*=" "$QEMU_CONF"; then
      # rewrite the first setting in place (marker comment above it), drop later duplicates
      awk -v k="$key" -v mark="$QEMU_CONF_MARK" '
        $0 ~ "^[[:space:]]*" k "[[:space:]]*=" {
          if (!done) { if (prev != mark) print mark; print k " = \"root\""; done = 1 }
          next
        }
        { print; prev = $0 }' "$QEMU_CONF" >"$QEMU_CONF.tmp"
      cat "$QEMU_CONF.tmp" >"$QEMU_CONF"
      rm -f "$QEMU_CONF.tmp"
    else
      append+=("$key = \"root\"")
    fi
  done
  if [ ${#append[@]} -gt 0 ]; then
    sep=""
    if [ -s "$QEMU_CONF" ]; then sep=$'\n'; fi
    printf '%s%s\n' "$sep" "$QEMU_CONF_MARK" >>"$QEMU_CONF"
    printf '%s\n' "${append[@]}" >>"$QEMU_CONF"
  fi
  qemu_conf_ok || die "could not set user/group root in $QEMU_CONF"
  QEMU_CONF_CHANGED=1
  phase_done "$QEMU_CONF: set user/group root$BACKUP_NOTE"
fi

# --- 3. daemons --------------------------------------------------------------------------------------
start_detached() {   # name pidfile log cmd...  (setsid + nohup + </dev/null: leave this session)
  local name=$1 pidfile=$2 log=$3; shift 3
  rm -f "$pidfile"
  echo "setup-libvirt: starting $name (pidfile $pidfile, log $log)"
  setsid nohup "$@" >>"$log" 2>&1 </dev/null &
}
stop_by_pidfile() {   # name pidfile
  local pid
  pid=$(cat "$2")
  echo "setup-libvirt: stopping $1 (pid $pid) to apply $QEMU_CONF"
  kill "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$pid" 2>/dev/null || die "$1 (pid $pid) did not stop"
  rm -f "$2"
}
if [ "$QEMU_CONF_CHANGED" = 1 ] && virsh_ok; then
  # a running libvirtd only reads qemu.conf at start
  alive "$LIBVIRTD_PID" || die "$QEMU_CONF changed but libvirtd was not started by this script ($LIBVIRTD_PID): restart libvirtd, then run: $FIX"
  stop_by_pidfile libvirtd "$LIBVIRTD_PID"
fi
if virsh_ok; then
  phase_done "libvirtd answering ($(virsh -c "$URI" version 2>/dev/null | awk '/Running hypervisor/ { print $3, $4 }'))"
else
  is_root || die "libvirtd not answering on $URI and not root. Run: $FIX"
  getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
  getent passwd libvirt-qemu >/dev/null \
    || useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
  mkdir -p /var/log/libvirt /var/lib/libvirt /run/libvirt
  if alive "$VIRTLOGD_PID"; then
    echo "setup-libvirt: virtlogd pid $(cat "$VIRTLOGD_PID") running"
  else
    start_detached virtlogd "$VIRTLOGD_PID" "$VIRTLOGD_LOG" virtlogd --pid-file "$VIRTLOGD_PID"
  fi
  if alive "$LIBVIRTD_PID"; then
    echo "setup-libvirt: libvirtd pid $(cat "$LIBVIRTD_PID") exists but does not answer yet; waiting"
  else
    start_detached libvirtd "$LIBVIRTD_PID" "$LIBVIRTD_LOG" libvirtd --pid-file "$LIBVIRTD_PID"
    LIBVIRTD_START_PID=$!
  fi
  deadline=$(( $(date +%s) + 60 ))
  until virsh_ok; do
    pid=${LIBVIRTD_START_PID:-$(cat "$LIBVIRTD_PID" 2>/dev/null || true)}
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "setup-libvirt: libvirtd (pid $pid) exited; last lines of $LIBVIRTD_LOG:" >&2
      tail -n 25 "$LIBVIRTD_LOG" >&2 || true
      die "libvirtd failed to start"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 25 "$LIBVIRTD_LOG" >&2 || true
      die "libvirtd not answering on $URI after 60 s"
    fi
    sleep 0.5
  done
  alive "$VIRTLOGD_PID" || die "virtlogd not running; see $VIRTLOGD_LOG"
  phase_done "virtlogd (pid $(cat "$VIRTLOGD_PID")) and libvirtd (pid $(cat "$LIBVIRTD_PID" 2>/dev/null || echo '?')) started"
fi
# loopback only: this set-up never creates a libvirt network (no virbr0, no dnsmasq)
NETS=$(virsh -c "$URI" net-list --all --name 2>/dev/null | tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')
[ -z "$NETS" ] || echo "setup-libvirt: WARNING: libvirt networks exist ($NETS); the vm tool does not use them" >&2

# --- 4. box ------------------------------------------------------------------------------------------------
bash "$HERE/build-libvirt-box.sh"
PHASE_T=$(now)

# --- final check --------------------------------------------------------------------------------------
PROBLEMS=()
[ -z "$(missing_things)" ] || PROBLEMS+=("packages: $(missing_things)")
qemu_conf_ok || PROBLEMS+=("$QEMU_CONF user/group root")
virsh_ok || PROBLEMS+=("libvirtd answering on $URI")
STATE=${VM_LIBVIRT_STATE:-/var/lib/vm-local/libvirt-box}
REV=$(cat "$STATE/rev" 2>/dev/null || true)
[ -n "$REV" ] && [ -s "$STATE/$REV/vmlinuz" ] && [ -s "$STATE/$REV/initrd.img" ] \
  || PROBLEMS+=("kernel/initrd under $STATE")
vagrant box list 2>/dev/null | grep -q "^${VM_LIBVIRT_BOX:-vm-local/debian-libvirt} (libvirt," \
  || PROBLEMS+=("box ${VM_LIBVIRT_BOX:-vm-local/debian-libvirt}")
[ ${#PROBLEMS[@]} = 0 ] || die "still missing: ${PROBLEMS[*]}. Run: $FIX"
echo "setup-libvirt: ready in $(secs "$T_START" "$(now)")s"
