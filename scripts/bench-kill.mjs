#!/usr/bin/env node
// Wall time of `vm kill` against bare `vagrant halt --force`, on the same machine in the same run.
//
//   npm run build && node scripts/bench-kill.mjs [RUNS]      (default 5 runs per cell; needs real Vagrant + docker)
//
// Scenarios (docker provider, one machine, started again before every measurement):
//   healthy  the guest runs normally
//   frozen   the guest is frozen with `docker pause` (no process in it can react)
//   locked   `vm provision` is stuck in a `sleep` in another process and holds Vagrant's machine lock
// Each cell: median / min / max wall ms of the whole command (process start to exit), and how many runs
// left the machine actually off (checked with docker inspect). Prints a table; JSON to stdout with --json.
import { spawn } from "node:child_process"
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { median } from "./bench/lib.mjs"

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const VM = join(REPO, "packages/cli/bin/vm.cjs")
const RUNS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5)
const JSON_OUT = process.argv.includes("--json")

const root = mkdtempSync(join(tmpdir(), "vm-bench-kill-"))
const home = join(root, "home")
const project = join(root, "bench-kill")
mkdirSync(home)
mkdirSync(project)
// the guest's `vagrant` user (uid 1000) owns the bind-mounted workspace, as on a developer machine
if (process.getuid?.() === 0) chownSync(project, 1000, 1000)
writeFileSync(
  join(project, "vm.yaml"),
  [
    "project:",
    "  name: bench-kill",
    "vagrant:",
    "  provider: docker",
    'provision: "if [ -f /workspace/.hang ]; then sleep 600; fi"',
    ""
  ].join("\n")
)

const env = {
  ...process.env,
  HOME: home,
  VM_NO_PROGRESS: "1",
  VAGRANT_CHECKPOINT_DISABLE: "1",
  VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1"
}
for (const k of ["VAGRANT_HOME", "VAGRANT_CWD", "VAGRANT_VAGRANTFILE", "VAGRANT_DOTFILE_PATH", "VAGRANT_DEFAULT_PROVIDER"]) delete env[k]
const vagrantEnv = { ...env, VAGRANT_VAGRANTFILE: "Vagrantfile.vmtool", VAGRANT_DOTFILE_PATH: ".vm/vagrant", VAGRANT_CWD: project }

/** Runs a command to completion; resolves { code, ms, stdout, stderr }. */
const run = (cmd, args, options = {}) =>
  new Promise((resolvePromise) => {
    const started = performance.now()
    const child = spawn(cmd, args, { cwd: project, env: options.env ?? env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolvePromise({ code, ms: performance.now() - started, stdout, stderr }))
  })

const vm = (...args) => run("node", [VM, ...args])
const must = async (what, promise) => {
  const r = await promise
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`)
  return r
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const machine = () => JSON.parse(readFileSync(join(project, ".vm/state.json"), "utf8")).instances.dev.machine
const containerId = () => readFileSync(join(project, ".vm/vagrant/machines", machine(), "docker/id"), "utf8").trim()
const dockerState = async () => (await run("docker", ["inspect", "--format", "{{.State.Status}}", containerId()])).stdout.trim()

const ensureRunning = async () => {
  const state = await dockerState()
  if (state === "paused") await must("docker unpause", run("docker", ["unpause", containerId()]))
  if (state !== "running") await must("vm start", vm("start"))
}

/** Scenario set-up before one measurement; returns a teardown. */
const scenarios = {
  healthy: async () => {
    await ensureRunning()
    return async () => {}
  },
  frozen: async () => {
    await ensureRunning()
    await must("docker pause", run("docker", ["pause", containerId()]))
    return async () => {}
  },
  locked: async () => {
    await ensureRunning()
    writeFileSync(join(project, ".hang"), "")
    const provision = vm("provision")
    const id = containerId()
    for (let i = 0; ; i++) {
      if ((await run("docker", ["top", id])).stdout.includes("sleep 600")) break
      if (i > 240) throw new Error("vm provision never reached its sleep")
      await sleep(250)
    }
    return async () => {
      rmSync(join(project, ".hang"), { force: true })
      // `vagrant halt --force` may have left it running: end the stuck provision for the next run
      if ((await dockerState()) !== "exited") await vm("kill")
      await provision
    }
  }
}

const tools = {
  "vm kill": () => vm("kill"),
  "vagrant halt --force": () => run("vagrant", ["halt", "--force", machine()], { env: vagrantEnv })
}

const cleanup = async () => {
  await vm("destroy", "--force").catch(() => {})
  rmSync(root, { recursive: true, force: true })
}
process.on("SIGINT", () => cleanup().then(() => process.exit(130)))

try {
  await must("vm create", vm("create"))
  const results = []
  for (const [scenario, setUp] of Object.entries(scenarios)) {
    // interleaved, so load changes on this shared host hit both tools alike
    const cells = Object.fromEntries(Object.keys(tools).map((t) => [t, { ms: [], off: 0, exitCodes: [] }]))
    for (let i = 0; i < RUNS; i++) {
      for (const [tool, measure] of Object.entries(tools)) {
        const tearDown = await setUp()
        const r = await measure()
        const state = await dockerState()
        cells[tool].ms.push(r.ms)
        cells[tool].exitCodes.push(r.code)
        if (state === "exited") cells[tool].off++
        await tearDown()
        process.stderr.write(`${scenario} ${tool} #${i + 1}: ${Math.round(r.ms)} ms, exit ${r.code}, afterwards ${state}\n`)
      }
    }
    for (const [tool, c] of Object.entries(cells)) {
      results.push({
        scenario,
        tool,
        runs: RUNS,
        medianMs: Math.round(median(c.ms)),
        minMs: Math.round(Math.min(...c.ms)),
        maxMs: Math.round(Math.max(...c.ms)),
        machineOff: c.off,
        exitCodes: c.exitCodes
      })
    }
  }
  if (JSON_OUT) console.log(JSON.stringify(results, null, 2))
  else {
    console.log(`bench-kill: ${RUNS} runs per cell, wall ms of the whole command (median [min-max]), machine off afterwards`)
    console.log(`${"scenario".padEnd(10)}${"command".padEnd(24)}${"median".padStart(8)}  ${"min-max".padEnd(13)}${"off".padEnd(7)}ratio`)
    for (const r of results) {
      const halt = results.find((x) => x.scenario === r.scenario && x.tool === "vagrant halt --force")
      const ratio = r.tool !== "vm kill"
        ? ""
        : halt.machineOff === 0
        ? "halt never stopped it"
        : `${(r.medianMs / halt.medianMs).toFixed(2)}x halt`
      console.log(
        `${r.scenario.padEnd(10)}${r.tool.padEnd(24)}${String(r.medianMs).padStart(8)}  ${`${r.minMs}-${r.maxMs}`.padEnd(13)}${
          `${r.machineOff}/${r.runs}`.padEnd(7)
        }${ratio}`
      )
    }
  }
} finally {
  await cleanup()
}
