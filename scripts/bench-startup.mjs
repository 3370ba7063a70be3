// Start-up cost of the `vm` CLI: `vm --version` against `node -e 0`, medians of N runs.
//   node scripts/bench-startup.mjs [RUNS]
import { fileURLToPath } from "node:url"
import { ratio, sample } from "./bench/lib.mjs"

const runs = Number(process.argv[2] ?? 20)
const vm = fileURLToPath(new URL("../packages/cli/bin/vm.cjs", import.meta.url))
process.stderr.write(`vm start-up, ${runs} runs each\n`)
const node = sample("node -e 0", runs, process.execPath, ["-e", "0"])
const version = sample("vm --version", runs, process.execPath, [vm, "--version"])
const help = sample("vm list --help", runs, process.execPath, [vm, "list", "--help"])
ratio("vm --version ÷ node -e 0", version, node)
ratio("vm list --help ÷ node -e 0", help, node)
