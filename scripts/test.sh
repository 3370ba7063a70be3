#!/usr/bin/env bash
# THE test command (`npm test` runs it; CI runs it through .ci/run).
#
#   bash scripts/test.sh
#
# 1. host set-up: scripts/setup-host.sh (vagrant, docker daemon, base image, and for the full-VM tier
#    QEMU + vagrant-libvirt + the local libvirt box), unless VM_SKIP_SETUP=1
# 2. dependencies: `npm ci` when CI=true; otherwise `npm install` only if node_modules is missing;
#    then `npm run build` when package.json defines it (bundled CLI)
# 3. npm run typecheck, npm run lint
# 4. vitest (projects unit + e2e, real Vagrant) with a JSON report
# 5. scripts/summarize-tests.mjs: per-project counts; the LAST line is "N passed, N failed[, N skipped]"
#
# Exit status is non-zero when any step fails, vitest fails, a test fails, the e2e suite
# ran zero tests, or (CI=true) an e2e test was skipped. Typecheck/lint failures do not stop
# the test run, but fail the command.
# Env: VM_SKIP_SETUP=1   skip step 1
#      VM_FULL_VMS=0     leave out the full-VM tier's set-up (test/fullvm then skips; never under CI=true)
#      VM_TEST_REPORT=F  keep the vitest JSON report at F (default: temp file, removed)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_BOX_UPDATE_CHECK_DISABLE=1

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo; echo "==> $*"; }
CI_MODE=false; [ "${CI:-}" = true ] && CI_MODE=true
FAILED_STEPS=()

T0=$(now)
# the whole suite includes real full VMs (test/fullvm): set them up unless told not to
export VM_FULL_VMS=${VM_FULL_VMS:-1}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: node and npm are required (Node >= 20.19)" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "test.sh: Node >= 20.19 required, found $(node --version)" >&2
  exit 1
fi

# --- 1. host set-up -----------------------------------------------------------------
if [ "${VM_SKIP_SETUP:-0}" = 1 ]; then
  step "host set-up skipped (VM_SKIP_SETUP=1)"
else
  step "host set-up: bash scripts/setup-host.sh"
  if ! bash scripts/setup-host.sh; then
    if $CI_MODE; then
      echo "test.sh: host set-up failed" >&2
      exit 1
    fi
    echo "test.sh: WARNING: host set-up failed; the real-Vagrant e2e suite will not run" >&2
    FAILED_STEPS+=("setup-host")
  fi
fi

# --- 2. dependencies ----------------------------------------------------------------
if $CI_MODE; then
  step "npm ci --no-audit --no-fund"
  npm ci --no-audit --no-fund || { echo "test.sh: npm ci failed" >&2; exit 1; }
elif [ ! -d node_modules ]; then
  step "npm install --no-audit --no-fund (node_modules missing)"
  npm install --no-audit --no-fund || { echo "test.sh: npm install failed" >&2; exit 1; }
else
  step "node_modules present: skipping npm install (CI=true always runs npm ci)"
fi
step "npm run --if-present build"
npm run --silent --if-present build || { echo "test.sh: build failed" >&2; exit 1; }
T_SETUP=$(now)

# --- 3. static checks ----------------------------------------------------------------
step "npm run typecheck"
npm run --silent typecheck || FAILED_STEPS+=("typecheck")
step "npm run lint"
npm run --silent lint || FAILED_STEPS+=("lint")
T_STATIC=$(now)

# --- 4. tests ------------------------------------------------------------------------------
REPORT=${VM_TEST_REPORT:-}
if [ -z "$REPORT" ]; then
  REPORT=$(mktemp "${TMPDIR:-/tmp}/vm-vitest.XXXXXX.json")
  trap 'rm -f "$REPORT"' EXIT
else
  rm -f "$REPORT"
fi
step "vitest run (unit + e2e + fullvm)"
npx vitest run --reporter=default --reporter=json --outputFile="$REPORT"
VITEST_RC=$?
T_END=$(now)
[ "$VITEST_RC" = 0 ] || FAILED_STEPS+=("vitest (exit $VITEST_RC)")

# --- 5. summary (its last line is the last line of this script's output) -------------
echo
echo "wall time: set-up $(secs "$T0" "$T_SETUP")s, typecheck+lint $(secs "$T_SETUP" "$T_STATIC")s, test suite $(secs "$T_STATIC" "$T_END")s, total $(secs "$T0" "$T_END")s"
[ ${#FAILED_STEPS[@]} = 0 ] || echo "FAILED steps: ${FAILED_STEPS[*]}"
node scripts/summarize-tests.mjs "$REPORT"
SUMMARY_RC=$?

[ "$VITEST_RC" = 0 ] || exit "$VITEST_RC"
if [ "$SUMMARY_RC" != 0 ] || [ ${#FAILED_STEPS[@]} != 0 ]; then
  exit 1
fi
exit 0
