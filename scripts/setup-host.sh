#!/usr/bin/env bash
# Prepare a Debian 12 host for the real-Vagrant e2e suite. Idempotent: every
# step is skipped when its result is already there.
#
#   sudo bash scripts/setup-host.sh
#
# 1. packages: vagrant docker.io debootstrap openssh-client ... (apt, --no-install-recommends:
#    vagrant recommends vagrant-libvirt, which drags in libvirt+qemu)
# 2. a docker daemon answering `docker version` (started detached if needed:
#    pidfile /run/vm-dockerd.pid, log /var/log/vm-dockerd.log)
# 3. the base image vm-local/debian:bookworm (scripts/build-image.sh), rebuilt when
#    missing or when its dev.vm.image-rev label differs from build-image.sh's IMAGE_REV
# 4. only with VM_FULL_VMS=1, or CI=true (unless VM_FULL_VMS=0): real full VMs through
#    scripts/setup-libvirt.sh (QEMU/TCG + vagrant-libvirt, libvirtd started detached, the
#    box vm-local/debian-libvirt built from the image of step 3); a failure there is fatal
#
# Without root it only checks, and fails with the command to run when anything is missing.
# Env: VM_E2E_IMAGE   image tag (default vm-local/debian:bookworm)
#      VM_FULL_VMS    1: also set up real full VMs (step 4); 0: never; unset: only when CI=true
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE=${VM_E2E_IMAGE:-vm-local/debian:bookworm}
WANT_REV=$(sed -n 's/^IMAGE_REV=\([0-9][0-9]*\).*/\1/p' "$HERE/build-image.sh" | head -n 1)
PIDFILE=/run/vm-dockerd.pid
DOCKERD_LOG=/var/log/vm-dockerd.log
FIX="sudo bash scripts/setup-host.sh"
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
T_START=$(now)
PHASE_T=$T_START
phase_done() { local t; t=$(now); echo "setup-host: [$(secs "$PHASE_T" "$t")s] $*"; PHASE_T=$t; }
die() { echo "setup-host: ERROR: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# --- 1. packages -------------------------------------------------------------
missing_cmds() {
  local c out=()
  for c in vagrant docker dockerd debootstrap ssh dash busybox; do
    command -v "$c" >/dev/null 2>&1 || out+=("$c")
  done
  echo "${out[*]:-}"
}
MISSING=$(missing_cmds)
if [ -n "$MISSING" ]; then
  APT_CMD="apt-get update && apt-get install -y --no-install-recommends vagrant docker.io debootstrap openssh-client ca-certificates procps iproute2 busybox"
  is_root || die "missing commands: $MISSING. Run as root: sudo sh -c '$APT_CMD'  (or: $FIX)"
  echo "setup-host: missing commands: $MISSING -> installing packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends \
    vagrant docker.io debootstrap openssh-client ca-certificates procps iproute2 busybox
  MISSING=$(missing_cmds)
  [ -z "$MISSING" ] || die "still missing after apt-get install: $MISSING"
  phase_done "packages installed"
else
  phase_done "packages present ($(vagrant --version 2>/dev/null || echo 'vagrant ?'))"
fi

# --- 2. docker daemon ----------------------------------------------------------
if docker version >/dev/null 2>&1; then
  phase_done "docker daemon answering (server $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
else
  if ! is_root; then
    if [[ "$(docker version 2>&1 || true)" == *"permission denied"* ]]; then
      die "no permission to use the docker daemon as $(id -un). Run as root, or add the user to the docker group: sudo usermod -aG docker $(id -un)"
    fi
    die "docker daemon not answering and not root. Run: $FIX"
  fi
  if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "setup-host: dockerd pid $(cat "$PIDFILE") exists but does not answer yet; waiting"
  else
    rm -f "$PIDFILE"
    echo "setup-host: starting dockerd (socket /var/run/docker.sock, pidfile $PIDFILE, log $DOCKERD_LOG)"
    # setsid + nohup + </dev/null: the daemon must leave this script's session and
    # process group, or it dies with the CI step / terminal that started it.
    setsid nohup dockerd --host unix:///var/run/docker.sock --pidfile "$PIDFILE" \
      >"$DOCKERD_LOG" 2>&1 </dev/null &
    DOCKERD_PID=$!
  fi
  deadline=$(( $(date +%s) + 60 ))
  until docker version >/dev/null 2>&1; do
    pid=${DOCKERD_PID:-$(cat "$PIDFILE" 2>/dev/null || true)}
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      echo "setup-host: dockerd (pid $pid) exited; last log lines of $DOCKERD_LOG:" >&2
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd failed to start"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd not answering after 60 s"
    fi
    sleep 0.5
  done
  phase_done "dockerd started (pid $(cat "$PIDFILE" 2>/dev/null || echo '?'))"
fi

# --- 3. base image ---------------------------------------------------------------
image_rev() {   # label value ("" when unlabelled), or "none" when the image does not exist
  local out
  if out=$(docker image inspect "$IMAGE" --format '{{index .Config.Labels "dev.vm.image-rev"}}' 2>/dev/null); then
    [ "$out" = "<no value>" ] && out=""
    echo "$out"
  else
    echo none
  fi
}
HAVE_REV=$(image_rev)
if [ "$HAVE_REV" = "$WANT_REV" ]; then
  phase_done "image $IMAGE present (rev $HAVE_REV)"
else
  if [ "$HAVE_REV" = none ]; then why="missing"; else why="stale (rev '${HAVE_REV:-<no label>}', want $WANT_REV)"; fi
  is_root || die "image $IMAGE is $why. Run: $FIX"
  OLD_ID=$(docker image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null || true)
  echo "setup-host: image $IMAGE is $why -> building (~40-60 s)"
  bash "$HERE/build-image.sh" "$IMAGE"
  NEW_ID=$(docker image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null || true)
  if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$NEW_ID" ]; then
    docker image rm "$OLD_ID" >/dev/null 2>&1 || true   # fails harmlessly while containers use it
  fi
  phase_done "image $IMAGE built"
fi

# --- final check -------------------------------------------------------------------
PROBLEMS=()
[ -z "$(missing_cmds)" ] || PROBLEMS+=("commands: $(missing_cmds)")
vagrant --version >/dev/null 2>&1 || PROBLEMS+=("vagrant --version fails")
docker version >/dev/null 2>&1 || PROBLEMS+=("docker daemon")
[ "$(image_rev)" = "$WANT_REV" ] \
  || PROBLEMS+=("image $IMAGE (rev $WANT_REV)")
[ ${#PROBLEMS[@]} = 0 ] || die "still missing: ${PROBLEMS[*]}"

# --- 4. full VMs (libvirt) -----------------------------------------------------------
FULL_VMS=${VM_FULL_VMS:-}
if [ -z "$FULL_VMS" ]; then
  if [ "${CI:-}" = true ]; then FULL_VMS=1; else FULL_VMS=0; fi
fi
if [ "$FULL_VMS" = 1 ]; then
  PHASE_T=$(now)
  bash "$HERE/setup-libvirt.sh" || die "full-VM set-up (scripts/setup-libvirt.sh) failed. Fix the error above, then run: ${FIX/setup-host/setup-libvirt}"
  phase_done "full VMs (libvirt) ready"
fi
echo "setup-host: ready in $(secs "$T_START" "$(now)")s"
