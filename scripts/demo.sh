#!/bin/bash
# The README's main job: set up the host, then bring up the example VM and show its status.
#   bash scripts/demo.sh            (as root on Debian/Ubuntu; re-running reuses the VM)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
[ -d node_modules/effect ] || npm ci --no-audit --no-fund
npm run --silent build
cd examples/hello
vm() { node ../../packages/cli/bin/vm.mjs "$@"; }
if vm list --json | grep -q '"name": "dev"'; then vm start; else vm create; fi
vm exec -- sh -c 'echo "$GREETING, I am $(hostname), workspace: $(pwd)"'
vm status
