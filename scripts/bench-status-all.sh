#!/usr/bin/env bash
# Benchmark: `vm status --all --json --fresh` on three running machines against one machine's
# `vm status --json --fresh`, in the same run. The machines are queried in parallel, so three should
# take about the time of one (goal: ratio <= 1.5). The script creates the three machines (docker
# provider) in a temp project and destroys them at the end.
#
#   bash scripts/bench-status-all.sh [RUNS]     (default 10 runs of each command)
#
# The commands run round-robin (one of each per round), so load changes on a shared host hit both
# alike; each figure is the median of RUNS wall-clock times. Both are --fresh (live values over the
# already open ssh masters: a warm-up run opens them). For scale: node -e 0 and vm --version (the
# CLI's start-up, paid once by either command).
# Needs what the e2e suite needs (scripts/setup-host.sh). Connects only to 127.0.0.1.
set -euo pipefail

RUNS=${1:-10}
MACHINES=(dev web db)
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/bench/lib.sh
source "$REPO/scripts/bench/lib.sh"
VM=(node "$REPO/packages/cli/bin/vm.cjs")
TMP=$(mktemp -d /tmp/vm-bench-status-all.XXXXXX)
PROJECT=$TMP/project
export HOME=$TMP/home VM_NO_PROGRESS=1 NO_COLOR=1 VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1

cleanup() {
  if [ -d "$PROJECT" ]; then
    for m in "${MACHINES[@]}"; do (cd "$PROJECT" && "${VM[@]}" destroy --force "$m" >/dev/null 2>&1) || true; done
  fi
  ids=$(docker ps -aq --filter "label=dev.vm.root=$PROJECT" 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$HOME" "$PROJECT"
cat > "$PROJECT/vm.yaml" <<'EOF'
project:
  name: bench-status-all
vagrant:
  provider: docker
services:
  ssh:
    process: sshd
EOF
cd "$PROJECT"
node "$REPO/scripts/build-cli.mjs"
for m in "${MACHINES[@]}"; do
  echo "creating $m…" >&2
  "${VM[@]}" create --instance "$m" >/dev/null
done

declare -A TIMES
NAMES=("one: vm status --json --fresh" "all: vm status --all --json --fresh" "node -e 0" "vm --version")
run_one() {
  case $1 in
    "one: vm status --json --fresh") "${VM[@]}" status dev --json --fresh ;;
    "all: vm status --all --json --fresh") "${VM[@]}" status --all --json --fresh ;;
    "node -e 0") node -e 0 ;;
    "vm --version") "${VM[@]}" --version ;;
  esac
}

# one warm-up of everything (page cache, ssh masters, ssh-config caches)
for name in "${NAMES[@]}"; do run_one "$name" >/dev/null 2>&1 || true; done
rows=$("${VM[@]}" status --all --json --fresh | node -e '
  const reports = JSON.parse(require("fs").readFileSync(0, "utf8"))
  const good = reports.filter((r) => r.state === "running" && r.errors.length === 0)
  process.stdout.write(String(good.length))')
[ "$rows" = "${#MACHINES[@]}" ] || { echo "bench: expected ${#MACHINES[@]} running machines without errors, got $rows" >&2; "${VM[@]}" status --all; exit 1; }

for round in $(seq 1 "$RUNS"); do
  echo "round $round/$RUNS" >&2
  for name in "${NAMES[@]}"; do
    start=$(date +%s%N)
    run_one "$name" >/dev/null 2>&1 || { echo "bench: '$name' failed" >&2; exit 1; }
    end=$(date +%s%N)
    TIMES[$name]="${TIMES[$name]:-} $(((end - start) / 1000))"
  done
done

declare -A MED
echo
printf 'docker provider, %d machines, medians of %d runs (seconds), %s, load %s\n' "${#MACHINES[@]}" "$RUNS" "$(date -u +%FT%TZ)" "$(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${NAMES[@]}"; do
  MED[$name]=$(echo "${TIMES[$name]}" | median)
  printf '  %-40s %s\n' "$name" "${MED[$name]}"
done
echo
printf '  %-40s %s (goal <= 1.5)\n' "ratio all / one" \
  "$(ratio "${MED[all: vm status --all --json --fresh]}" "${MED[one: vm status --json --fresh]}")"
