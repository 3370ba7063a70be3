#!/usr/bin/env node
// Benchmark: applying config changes (issue 5) against bare Vagrant, in the same run.
//   node scripts/bench-restart.mjs [ROUNDS]      (default 5; run `npm run build` first)
// Pairs, run alternately so that both sides see the same host load:
//   vm restart (nothing changed)              vs  vagrant reload <m>
//   vm restart (synced folder added/removed)  vs  vagrant destroy -f <m> && vagrant up <m>
//   vm status (state + drift)                 vs  vagrant status <m> --machine-readable
// Prints medians (seconds) and the ratio vm / vagrant. Creates one docker-provider machine in a
// temp project and removes it (and the temp dir) at the end, also on failure.
import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const ROUNDS = Number(process.argv[2] ?? 5)
const VM = fileURLToPath(new URL("../packages/cli/bin/vm.cjs", import.meta.url))
const root = realpathSync(mkdtempSync(join(tmpdir(), "vm-bench-restart-")))
const home = join(root, "home")
const project = join(root, "project")
const shared = join(root, "shared")
for (const d of [home, project, shared]) mkdirSync(d, { recursive: true })
const yaml = (withFolder) =>
  `project:\n  name: bench-restart\nvagrant:\n  provider: docker\n${withFolder ? "synced_folders:\n  - { source: ../shared, target: /data }\n" : ""}`
writeFileSync(join(project, "vm.yaml"), yaml(false))
// the guest's vagrant user (uid 1000) writes into the workspace, as for a developer's own checkout
if (process.getuid?.() === 0) chownSync(project, 1000, 1000)

const env = { ...process.env, HOME: home, VM_NO_PROGRESS: "1", VAGRANT_CHECKPOINT_DISABLE: "1", VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1" }
// exactly what VagrantRunner sets (packages/vagrant/src/VagrantRunner.ts)
const vagrantEnv = {
  ...env,
  VAGRANT_VAGRANTFILE: "Vagrantfile.vmtool",
  VAGRANT_DOTFILE_PATH: ".vm/vagrant",
  VAGRANT_NO_COLOR: "1",
  VAGRANT_CWD: project,
  VAGRANT_DEFAULT_PROVIDER: "docker"
}

const timed = (cmd, args, e) => {
  const started = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { cwd: project, env: e, encoding: "utf8", timeout: 900_000 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`)
  return seconds
}
const vm = (...args) => timed("node", [VM, ...args], env)
const vagrant = (...args) => timed("vagrant", args, vagrantEnv)
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

const results = { restart: [[], []], recreate: [[], []], status: [[], []] }
const report = () => {
  const done = results.status[1].length
  if (done === 0) return
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")
  console.log(`rounds completed: ${done}/${ROUNDS}; host load average at the end: ${load}`)
  console.log("operation                          vm median   vagrant median   ratio")
  const row = (name, [a, b]) => {
    const n = Math.min(a.length, b.length)
    const [ma, mb] = [median(a.slice(0, n)), median(b.slice(0, n))]
    console.log(`${name.padEnd(35)}${ma.toFixed(2).padStart(8)} s${mb.toFixed(2).padStart(14)} s${(ma / mb).toFixed(2).padStart(10)}`)
  }
  row("restart, nothing changed / reload", results.restart)
  row("restart, folder changed / destroy+up", results.recreate)
  row("status --json / status", results.status)
}

try {
  vm("create")
  const machine = JSON.parse(readFileSync(join(project, ".vm/state.json"), "utf8")).instances.dev.machine
  let withFolder = false
  for (let round = 1; round <= ROUNDS; round++) {
    results.restart[0].push(vm("restart"))
    results.restart[1].push(vagrant("reload", machine))

    withFolder = !withFolder
    writeFileSync(join(project, "vm.yaml"), yaml(withFolder))
    results.recreate[0].push(vm("restart"))
    results.recreate[1].push(vagrant("destroy", "-f", machine) + vagrant("up", machine, "--provider=docker"))

    results.status[0].push(vm("status", "--json"))
    results.status[1].push(vagrant("status", machine, "--machine-readable"))
    process.stderr.write(`round ${round}/${ROUNDS} done\n`)
  }
} finally {
  // partial results too: a failed round (e.g. a container removed by someone else) still reports the completed ones
  report()
  spawnSync("node", [VM, "destroy", "--force"], { cwd: project, env, encoding: "utf8", timeout: 300_000 })
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=dev.vm.root=${project}`], { encoding: "utf8" }).split(/\s+/).filter(Boolean)
  if (ids.length > 0) spawnSync("docker", ["rm", "-f", ...ids])
  rmSync(root, { recursive: true, force: true })
}
