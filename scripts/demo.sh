#!/bin/bash
# The README's main job: set up the host, then bring up the example VM and show its status.
#   bash scripts/demo.sh            (as root on Debian/Ubuntu; re-running reuses the VM)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
[ -d node_modules/effect ] || npm ci --no-audit --no-fund
npm run --silent build
cd examples/hello
vm() { node ../../packages/cli/bin/vm.cjs "$@"; }
if vm list --json | grep -q '"name": "dev"'; then
  vm start
  # a VM left by an older vm (e.g. its guest user without your uid/gid) gets the current config
  if vm status --json | grep -q '"configChanged": true'; then vm restart; fi
else
  vm create
fi
vm exec -- sh -c 'echo "$GREETING, I am $(hostname), workspace: $(pwd)"'
vm status
# the guest user writes the workspace, and on the host the file is yours (the guest user has your uid/gid)
vm exec -- sh -c 'echo "written in the guest by uid $(id -u)" > guest-wrote-this.txt'
echo "host: $(stat -c '%n: owned by %U:%G' guest-wrote-this.txt): $(cat guest-wrote-this.txt)"
rm -f guest-wrote-this.txt
echo "workspace: writable"
