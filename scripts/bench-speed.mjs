#!/usr/bin/env node
// The speed goals (issue "Speed: start-up and cold paths close to the floor") on one docker-provider
// machine, as ratios against the bare tools on the same machine in the same run:
//
//   npm run build && node scripts/bench-speed.mjs [RUNS] [--only WORD] [--baseline DIR] [--json]
//
//   RUNS            runs per command (default 7; also for `vm kill` and `vagrant halt --force`, whose times vary most)
//   --only WORD     only the rows whose command contains WORD (and their reference rows), e.g. --only kill
//   --baseline DIR  another checkout of vm, built (`npm ci && npm run build` there), measured in the same
//                   rounds on the same machine: the before/after table. Make one with
//                   `git worktree add /tmp/vm-before <commit> && (cd /tmp/vm-before && npm ci)`.
//
// Commands run round-robin (one of each per round) so load changes hit all alike; each figure is the
// median wall time of the whole process. Every timed run has an untimed preparation that puts the
// machine and caches in the state the row names:
//   vm --version                       ÷ node -e 0                        goal ≤ 2
//   vm status --json (report cached)   ÷ vagrant status --machine-readable goal ≤ 0.2
//   vm status --json --fresh (master)  ÷ vagrant status                    goal ≤ 0.35
//   vm status --json, nothing cached   ÷ vagrant status                    goal ≤ 1.0  (no report, no ssh-config, no master)
//   vm list --json                     ÷ vagrant status
//   vm exec -- true (master open)      ÷ ssh over the same master
//   vm kill (healthy machine)          ÷ vagrant halt --force              goal ≤ 1.15
// Connects only to 127.0.0.1. Needs what the e2e suite needs (scripts/setup-host.sh).
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { median } from "./bench/lib.mjs"

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const argv = process.argv.slice(2)
const RUNS = Number(argv.find((a) => /^\d+$/.test(a)) ?? 7)
const JSON_OUT = argv.includes("--json")
const baselineIndex = argv.indexOf("--baseline")
const BASELINE = baselineIndex >= 0 ? resolve(argv[baselineIndex + 1] ?? "") : undefined
/** A checkout's launcher: bin/vm.cjs, or bin/vm.mjs before the launcher became CommonJS. */
const launcherIn = (dir) => ["vm.cjs", "vm.mjs"].map((f) => join(dir, "packages/cli/bin", f)).find((f) => existsSync(f))
if (BASELINE !== undefined && launcherIn(BASELINE) === undefined) {
  console.error(`bench-speed: --baseline ${BASELINE} is not a vm checkout (no packages/cli/bin/vm.cjs)`)
  process.exit(2)
}
const CLIS = { current: launcherIn(REPO), ...(BASELINE ? { baseline: launcherIn(BASELINE) } : {}) }

const root = mkdtempSync(join(tmpdir(), "vm-bench-speed-"))
const home = join(root, "home")
const project = join(root, "bench-speed")
mkdirSync(home)
mkdirSync(project)
writeFileSync(join(project, "vm.yaml"), "project:\n  name: bench-speed\nvagrant:\n  provider: docker\nservices:\n  ssh:\n    process: sshd\n")
const env = { ...process.env, HOME: home, VM_NO_PROGRESS: "1", NO_COLOR: "1", VAGRANT_CHECKPOINT_DISABLE: "1", VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1" }
for (const k of ["VAGRANT_HOME", "VAGRANT_CWD", "VAGRANT_VAGRANTFILE", "VAGRANT_DOTFILE_PATH", "VAGRANT_DEFAULT_PROVIDER", "VM_DEV"]) delete env[k]
// what vm itself passes to vagrant (packages/vagrant/src/VagrantRunner.ts)
const vagrantEnv = { ...env, VAGRANT_VAGRANTFILE: "Vagrantfile.vmtool", VAGRANT_DOTFILE_PATH: ".vm/vagrant", VAGRANT_CWD: project, VAGRANT_NO_COLOR: "1" }
const controlDir = env.XDG_RUNTIME_DIR?.startsWith("/") && env.XDG_RUNTIME_DIR.length < 60
  ? join(env.XDG_RUNTIME_DIR, "vm-ssh")
  : join(tmpdir(), `vm-ssh-${process.getuid?.() ?? 0}`)

/** Runs a command to completion (2 min at most); returns its wall seconds; throws when it fails. */
const run = (cmd, args, options = {}) => {
  const started = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { cwd: project, env: options.env ?? env, encoding: "utf8", timeout: 120_000 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0 && !options.allowFailure) {
    throw new Error(`${cmd} ${args.join(" ")} failed (status ${r.status}, ${r.error ?? ""}):\n${r.stdout}\n${r.stderr}`)
  }
  return { seconds, stdout: r.stdout }
}
const vm = (cli, ...args) => run(process.execPath, [CLIS[cli], ...args])
const machine = () => JSON.parse(readFileSync(join(project, ".vm/state.json"), "utf8")).instances.dev.machine
const containerId = () => readFileSync(join(project, ".vm/vagrant/machines", machine(), "docker/id"), "utf8").trim()
const dockerState = () => run("docker", ["inspect", "--format", "{{.State.Status}}", containerId()]).stdout.trim()
const sshArgs = () => ["-F", join(project, ".vm/ssh", `${machine()}.config`), "-o", `ControlPath=${controlDir}/%C`]
const closeMaster = () => run("ssh", [...sshArgs(), "-O", "exit", machine()], { allowFailure: true })
const ensureRunning = (cli) => {
  if (dockerState() !== "running") vm(cli, "start")
}

// label → { reference?, goal?, prep(cli), cmd(cli) }; a row without cli is a reference command
const rows = [
  { label: "node -e 0", cmd: () => run(process.execPath, ["-e", "0"]) },
  { label: "vagrant status --machine-readable", cmd: () => run("vagrant", ["status", machine(), "--machine-readable"], { env: vagrantEnv }) },
  { label: "ssh over the master: true", prep: () => vm("current", "exec", "--", "true"), cmd: () => run("ssh", [...sshArgs(), machine(), "true"]) },
  { label: "vm --version", vm: true, reference: "node -e 0", goal: 2, cmd: (cli) => vm(cli, "--version") },
  {
    label: "vm status --json, report cached",
    vm: true,
    reference: "vagrant status --machine-readable",
    goal: 0.2,
    prep: (cli) => vm(cli, "status", "--json", "--fresh"),
    cmd: (cli) => vm(cli, "status", "--json")
  },
  {
    label: "vm status --json --fresh, master open",
    vm: true,
    reference: "vagrant status --machine-readable",
    goal: 0.35,
    prep: (cli) => vm(cli, "exec", "--", "true"),
    cmd: (cli) => vm(cli, "status", "--json", "--fresh")
  },
  {
    label: "vm status --json, nothing cached",
    vm: true,
    reference: "vagrant status --machine-readable",
    goal: 1.0,
    prep: () => {
      closeMaster()
      rmSync(join(project, ".vm/status"), { recursive: true, force: true })
      rmSync(join(project, ".vm/ssh"), { recursive: true, force: true })
    },
    cmd: (cli) => vm(cli, "status", "--json")
  },
  { label: "vm list --json", vm: true, reference: "vagrant status --machine-readable", cmd: (cli) => vm(cli, "list", "--json") },
  {
    label: "vm exec -- true, master open",
    vm: true,
    reference: "ssh over the master: true",
    prep: (cli) => vm(cli, "exec", "--", "true"),
    cmd: (cli) => vm(cli, "exec", "--", "true")
  },
  { label: "vagrant halt --force", kill: true, prep: () => ensureRunning("current"), cmd: () => run("vagrant", ["halt", "--force", machine()], { env: vagrantEnv }) },
  { label: "vm kill, healthy machine", vm: true, kill: true, reference: "vagrant halt --force", goal: 1.15, prep: (cli) => ensureRunning(cli), cmd: (cli) => vm(cli, "kill") }
]

const onlyIndex = argv.indexOf("--only")
const ONLY = onlyIndex >= 0 ? argv[onlyIndex + 1] ?? "" : undefined
const picked = ONLY === undefined ? rows : rows.filter((row) => row.label.includes(ONLY))
const measured = rows.filter((row) => picked.includes(row) || picked.some((p) => p.reference === row.label))
if (measured.length === 0) {
  console.error(`bench-speed: no row contains '${ONLY}'`)
  process.exit(2)
}

const times = new Map()
const record = (key, seconds) => times.set(key, [...(times.get(key) ?? []), seconds])
const cells = measured.flatMap((row) => (row.vm ? Object.keys(CLIS).map((cli) => ({ row, cli, key: `${row.label} [${cli}]` })) : [{ row, cli: "current", key: row.label }]))

let failed = false
try {
  process.stderr.write(`creating the machine (docker provider) in ${project}…\n`)
  vm("current", "create")
  // one untimed run of everything: page cache, code caches, ssh master
  for (const c of cells) {
    ensureRunning("current")
    c.row.prep?.(c.cli)
    c.row.cmd(c.cli)
  }
  for (let round = 1; round <= RUNS; round++) {
    process.stderr.write(`round ${round}/${RUNS}\n`)
    for (const c of cells) {
      // the kill rows leave the machine off: every row starts from a running machine
      ensureRunning("current")
      c.row.prep?.(c.cli)
      record(c.key, c.row.cmd(c.cli).seconds)
    }
  }
} catch (e) {
  failed = true
  console.error(`bench-speed: ${e.message}`)
} finally {
  try {
    vm("current", "destroy", "--force")
  } catch {
    // the container is labelled with the project root; remove it directly
    const ids = run("docker", ["ps", "-aq", "--filter", `label=dev.vm.root=${project}`], { allowFailure: true }).stdout.trim()
    if (ids) run("docker", ["rm", "-f", ...ids.split("\n")], { allowFailure: true })
  }
  rmSync(root, { recursive: true, force: true })
}
if (failed) process.exit(1)

const med = (key) => median(times.get(key))
const results = cells.map((c) => {
  const m = med(c.key)
  const ref = c.row.reference ? med(c.row.reference) : undefined
  const ratio = ref ? m / ref : undefined
  return { command: c.row.label, cli: c.row.vm ? c.cli : "reference", medianSeconds: m, n: times.get(c.key).length, reference: c.row.reference ?? null, ratio: ratio ?? null, goal: c.row.goal ?? null, met: c.row.goal && ratio !== undefined ? ratio <= c.row.goal : null }
})
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")
if (JSON_OUT) {
  console.log(JSON.stringify({ runs: RUNS, baseline: BASELINE ?? null, load, results }, null, 2))
} else {
  console.log(`\nmedians of ${RUNS} runs, docker provider, ${new Date().toISOString()}, load ${load}`)
  console.log(BASELINE ? `baseline: ${BASELINE}` : "no baseline (add --baseline DIR for a before/after table)")
  console.log("")
  const pad = (s, n) => String(s).padEnd(n)
  console.log(`${pad("command", 40)} ${pad("cli", 9)} ${pad("median", 8)} ${pad("ratio", 6)} goal`)
  for (const r of results) {
    const ratio = r.ratio === null ? "" : r.ratio.toFixed(2)
    const goal = r.goal === null ? "" : `≤ ${r.goal} ${r.met ? "met" : "NOT met"}`
    console.log(`${pad(r.command, 40)} ${pad(r.cli, 9)} ${pad(r.medianSeconds.toFixed(3), 8)} ${pad(ratio, 6)} ${goal}`)
  }
  console.log("\nratio = median ÷ the median of the reference row: node -e 0 (start-up), vagrant status --machine-readable,")
  console.log("ssh over the same master (exec), vagrant halt --force (kill)")
}
