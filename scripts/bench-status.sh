#!/usr/bin/env bash
# Benchmark: `vm status --json` against Vagrant's own state-only answer, on one running
# machine that this script creates in a temp project and destroys at the end.
#
#   bash scripts/bench-status.sh [RUNS]                   (default 10 runs of each command)
#   BENCH_PROVIDER=libvirt bash scripts/bench-status.sh 5   a real VM: QEMU through vagrant-libvirt,
#                                                        user-mode networking (VM_FULL_VMS=1 set-up)
#
# The commands run round-robin (one of each per round), so load changes on a shared host hit all
# of them alike; each figure is the median of RUNS wall-clock times.
#   vagrant status      vagrant status dev --machine-readable
#   vagrant ssh         vagrant ssh dev -c true -- -T
#   vm cold             vm status --json, report cache removed and no ssh master (ssh-config cache kept:
#                       it lives as long as the machine id)
#   vm cold, no config  the same, also without the cached ssh-config (one `vagrant ssh-config` call)
#   vm warm             vm status --json, master open, report cache as it is (status.cache_seconds 5)
#   vm warm --fresh     vm status --json --fresh: a full live report over the open master
# For scale: node -e 0, vm --version (the CLI's start-up) and the hypervisor's own state query
# (docker inspect, or virsh domstate).
# Needs what the e2e suite needs (scripts/setup-host.sh). Connects only to 127.0.0.1.
set -euo pipefail

RUNS=${1:-10}
PROVIDER=${BENCH_PROVIDER:-docker}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/bench/lib.sh
source "$REPO/scripts/bench/lib.sh"
VM=(node "$REPO/packages/cli/bin/vm.cjs")
TMP=$(mktemp -d /tmp/vm-bench-status.XXXXXX)
PROJECT=$TMP/project
export HOME=$TMP/home VM_NO_PROGRESS=1 NO_COLOR=1 VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1
# what vm itself passes to vagrant (packages/vagrant/src/VagrantRunner.ts)
VAGRANT_ENV=(env VAGRANT_VAGRANTFILE=Vagrantfile.vmtool VAGRANT_DOTFILE_PATH=.vm/vagrant VAGRANT_CWD="$PROJECT" VAGRANT_NO_COLOR=1)
CONTROL_DIR=/tmp/vm-ssh-$(id -u)

cleanup() {
  (cd "$PROJECT" 2>/dev/null && "${VM[@]}" destroy --force >/dev/null 2>&1) || true
  if [ "$PROVIDER" = docker ]; then
    ids=$(docker ps -aq --filter "label=dev.vm.root=$PROJECT" 2>/dev/null || true)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  else
    virsh -c qemu:///system destroy project_dev >/dev/null 2>&1 || true
    virsh -c qemu:///system undefine project_dev --remove-all-storage >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$HOME" "$PROJECT"
if [ "$PROVIDER" = docker ]; then
  cat > "$PROJECT/vm.yaml" <<'EOF'
project:
  name: bench-status
vagrant:
  provider: docker
services:
  ssh:
    process: sshd
EOF
else
  # the locally built box (scripts/build-libvirt-box.sh), added offline into this run's private VAGRANT_HOME
  BOX_DIR=/var/lib/vm-local/libvirt-box/$(cat /var/lib/vm-local/libvirt-box/rev)
  vagrant box add "$BOX_DIR/box.json" >/dev/null
  cat > "$PROJECT/vm.yaml" <<'EOF'
project:
  name: bench-status
vm:
  box: vm-local/debian-libvirt
  memory: 1024
  cpus: 2
vagrant:
  provider: libvirt
  libvirt: { networking: user, isolated: true }
services:
  ssh:
    process: sshd
EOF
fi
cd "$PROJECT"
node "$REPO/scripts/build-cli.mjs"
echo "creating the machine…" >&2
"${VM[@]}" create >/dev/null
ID=$(cat ".vm/vagrant/machines/dev/$PROVIDER/id")

close_master() { ssh -F .vm/ssh/dev.config -o "ControlPath=$CONTROL_DIR/%C" -O exit dev >/dev/null 2>&1 || true; }
prep_cold() { rm -rf .vm/status; close_master; }
prep_cold_noconfig() { close_master; rm -rf .vm/status .vm/ssh; }   # close first: it needs the config
prep_none() { :; }

declare -A TIMES
NAMES=("vagrant status" "vagrant ssh" "vm cold" "vm cold, no config" "vm warm" "vm warm --fresh" "node -e 0" "vm --version" "hypervisor query")
PREPS=(prep_none prep_none prep_cold prep_cold_noconfig prep_none prep_none prep_none prep_none prep_none)
run_one() {
  case $1 in
    "vagrant status") "${VAGRANT_ENV[@]}" vagrant status dev --machine-readable ;;
    "vagrant ssh") "${VAGRANT_ENV[@]}" vagrant ssh dev -c true -- -T ;;
    "vm cold" | "vm cold, no config" | "vm warm") "${VM[@]}" status --json ;;
    "vm warm --fresh") "${VM[@]}" status --json --fresh ;;
    "node -e 0") node -e 0 ;;
    "vm --version") "${VM[@]}" --version ;;
    "hypervisor query")
      if [ "$PROVIDER" = docker ]; then docker inspect --type container --format '{{.Id}} {{json .State}}' "$ID"
      else virsh -c qemu:///system domstate "$ID"; fi ;;
  esac
}

# one warm-up of everything (page cache, ssh master, ssh-config cache)
for name in "${NAMES[@]}"; do run_one "$name" >/dev/null 2>&1 || true; done
"${VM[@]}" status --json --fresh | grep -q '"errors": \[\]' || { echo "bench: the status report has errors" >&2; "${VM[@]}" status; exit 1; }

for round in $(seq 1 "$RUNS"); do
  echo "round $round/$RUNS" >&2
  for i in "${!NAMES[@]}"; do
    name=${NAMES[$i]}
    "${PREPS[$i]}"
    start=$(date +%s%N)
    run_one "$name" >/dev/null 2>&1 || { echo "bench: '$name' failed" >&2; exit 1; }
    end=$(date +%s%N)
    TIMES[$name]="${TIMES[$name]:-} $(((end - start) / 1000))"
  done
done

declare -A MED
echo
printf 'provider %s, medians of %d runs (seconds), %s, load %s\n' "$PROVIDER" "$RUNS" "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${NAMES[@]}"; do
  MED[$name]=$(echo "${TIMES[$name]}" | median)
  printf '  %-22s %s\n' "$name" "${MED[$name]}"
done
echo
echo "ratios against vagrant status (targets: warm <= 0.35, cold <= 1.2)"
for name in "vm warm" "vm warm --fresh" "vm cold" "vm cold, no config"; do
  printf '  %-38s %s\n' "$name / vagrant status" "$(ratio "${MED[$name]}" "${MED[vagrant status]}")"
done
