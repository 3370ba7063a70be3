/**
 * `vm status --all` and `vm status --watch` through the real `vm` CLI against real Vagrant (docker
 * provider). Three machines of one project are created once and reused: `--all` returns the three
 * rows; `--watch` under a real terminal (a pty from util-linux `script`) redraws in place and ends
 * with exit 0 on Ctrl-C; piped it prints NDJSON; a machine stopped, frozen or destroyed mid-watch
 * shows up as such on the next frames. Then `vm temp status --all` on a temp VM.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox, type Sandbox, sh, VM_BIN, vmEnv } from "./support/sandbox.js"
import { expectExit, expectOk, parseJson, type StatusJson } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()

/** timeouts.ssh in this sandbox: short, so a frozen guest costs one short frame. */
const SSH_TIMEOUT_S = 3
const MACHINES = ["dev", "web", "db"] as const

interface WatchedReport extends StatusJson {
  readonly timestamp: string
  readonly collectedAt: string
  readonly errors: ReadonlyArray<string>
  readonly resources: { readonly memoryLimitMb: number | null }
}

/** A `vm` run that keeps going (a watch): its output as it comes, Ctrl-C, its exit code. */
interface Running {
  readonly output: () => string
  /** Resolves once `predicate(output)` holds; rejects after `timeoutMs` with the output so far. */
  readonly until: (predicate: (output: string) => boolean, timeoutMs: number, what: string) => Promise<void>
  readonly exited: Promise<number | null>
  readonly child: ChildProcessWithoutNullStreams
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`

function track(child: ChildProcessWithoutNullStreams, live: Set<ChildProcessWithoutNullStreams>): Running {
  let out = ""
  let err = ""
  live.add(child)
  child.stdout.on("data", (b: Buffer) => (out += b.toString()))
  child.stderr.on("data", (b: Buffer) => (err += b.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      live.delete(child)
      resolve(code)
    })
  )
  const until = (predicate: (output: string) => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now()
      const poll = setInterval(() => {
        if (predicate(out)) {
          clearInterval(poll)
          resolve()
        } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
          clearInterval(poll)
          reject(new Error(`${what}: not within ${timeoutMs / 1000} s\n--- stdout ---\n${out}\n--- stderr ---\n${err}`))
        }
      }, 100)
    })
  return { output: () => out, until, exited, child }
}

/** `vm ARGS` with stdout a pipe (own process group, like the sandbox's runs). */
const startPiped = (sb: Sandbox, args: ReadonlyArray<string>, live: Set<ChildProcessWithoutNullStreams>) =>
  track(spawn(process.execPath, [VM_BIN, ...args], { cwd: sb.project, env: vmEnv(sb.home, {}), detached: true }), live)

/**
 * `vm ARGS` on a real terminal: util-linux `script` runs it on a pty of 160×50 and passes what we
 * write on to the pty, so "\x03" is a real Ctrl-C (the line discipline turns it into SIGINT); `-e`
 * makes script exit with vm's exit code.
 */
const startOnTerminal = (sb: Sandbox, args: ReadonlyArray<string>, live: Set<ChildProcessWithoutNullStreams>) => {
  const command = `stty cols 160 rows 50; exec ${[process.execPath, VM_BIN, ...args].map(quote).join(" ")}`
  return track(spawn("script", ["-qefc", command, "/dev/null"], { cwd: sb.project, env: vmEnv(sb.home, {}), detached: true }), live)
}

const ndjson = (output: string): ReadonlyArray<WatchedReport> =>
  output.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as WatchedReport)

/** Stops (SIGSTOP) or resumes (SIGCONT) every sshd of a container, from the host. */
async function signalSshd(containerId: string, signal: "SIGSTOP" | "SIGCONT"): Promise<number> {
  const r = await sh("docker", ["top", containerId, "-o", "pid,comm"], { timeoutMs: 60_000 })
  if (r.exitCode !== 0) throw new Error(`docker top failed\n${formatResult(r)}`)
  const pids = r.stdout.split("\n").slice(1).map((l) => l.trim().split(/\s+/)).filter(([, comm]) => comm === "sshd")
  for (const [pid] of pids) process.kill(Number(pid), signal)
  return pids.length
}

describe.runIf(e2e.ok)("vm status --all / --watch (real vagrant, docker provider)", () => {
  let sb: Sandbox
  const live = new Set<ChildProcessWithoutNullStreams>()
  const ids = new Map<string, string>()
  let frozen = ""

  beforeAll(async () => {
    sb = await makeSandbox({
      projectName: "e2e-watch",
      userConfig: `timeouts:\n  ssh: ${SSH_TIMEOUT_S}\ndefaults:\n  provider: docker\n`,
      vmYaml: [
        "project:",
        "  name: e2e-watch",
        "vagrant:",
        "  provider: docker",
        "vm:",
        "  memory: 256",
        "  cpus: 1",
        "services:",
        "  ssh:",
        "    process: sshd",
        ""
      ].join("\n")
    })
    for (const name of MACHINES) {
      expectOk(await sb.runVm(["create", "--instance", name]))
      ids.set(name, parseJson<StatusJson>(await sb.runVm(["status", name, "--json"]))["machineId"] as string)
    }
  })
  afterAll(async () => {
    for (const child of live) if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
    if (frozen !== "") await signalSshd(frozen, "SIGCONT").catch(() => 0)
    await sb?.runVm(["temp", "destroy", "--all"]).catch(() => undefined)
    await sb?.cleanup()
  })

  it("--all --json: the three machines in one array, each as `vm status --json` reports it", async () => {
    const r = await sb.runVm(["status", "--all", "--json", "--fresh"])
    const reports = parseJson<ReadonlyArray<WatchedReport>>(r)
    expect(reports.map((x) => [x.name, x.state, x.errors])).toEqual(MACHINES.map((name) => [name, "running", []]))
    for (const report of reports) {
      expect(report.machineId).toBe(ids.get(report.name))
      expect(report.resources.memoryLimitMb).toBe(256)
    }
    const one = parseJson<WatchedReport>(await sb.runVm(["status", "web", "--json", "--fresh"]))
    expect(Object.keys(reports[1]!).sort()).toEqual(Object.keys(one).sort())
  })

  it("--all: a table with a header and one row per machine", async () => {
    const r = await sb.runVm(["status", "--all"])
    expectOk(r)
    const lines = r.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^NAME +STATE +CPU % +MEM USAGE \/ LIMIT +MEM % +DISK USAGE \/ TOTAL +DISK % +UPTIME +SERVICES +DRIFT$/)
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(MACHINES.map((name) => [name, "running"]))
    expect(lines[1]).toMatch(/ 256MB .* 1\/1 up +-$/)
    // after the rows only the note on cached values (the report cache of the call before may still be fresh)
    for (const line of lines.slice(4)) expect(line).toMatch(/^cached values for (dev|web|db)(, (web|db))* \(up to \d+s old; --fresh for live values\)$/)
  })

  it("bad usage: one clear error each, non-zero exit, nothing on stdout", async () => {
    const cases: ReadonlyArray<[ReadonlyArray<string>, number, string]> = [
      [["status", "--watch", "--interval", "0"], 2, "--interval: '0' is too short: at least 0.5 seconds"],
      [["status", "--watch", "--interval", "soon"], 2, "--interval: 'soon' is not a number of seconds"],
      [["status", "--interval", "2"], 2, "--interval only applies with --watch"],
      [["status", "dev", "--all"], 1, "give a machine ('dev') or --all, not both"]
    ]
    for (const [args, code, message] of cases) {
      const r = await sb.runVm(args)
      expectExit(r, code)
      expect(r.stderr, formatResult(r)).toContain(message)
      expect(r.stdout).toBe("")
    }
  })

  it("--watch on a terminal: redraws in place at least twice, Ctrl-C ends it with exit 0", async () => {
    const run = startOnTerminal(sb, ["status", "dev", "--watch", "--interval", "1"], live)
    const frames = (out: string) => out.split("\x1b[H").length - 1
    await run.until((out) => frames(out) >= 3, 120_000, "three frames")
    run.child.stdin.write("\x03")
    expect(await run.exited, run.output()).toBe(0)
    const out = run.output()
    // one screen clear, then each frame overwrites the last from the top
    expect(out.split("\x1b[2J").length - 1).toBe(1)
    const bodies = out.split("\x1b[H").slice(1).map((f) => f.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, ""))
    for (const body of bodies.slice(0, 3)) {
      expect(body).toMatch(/^every 1 s · \d\d:\d\d:\d\d · Ctrl-C to quit\n/)
      expect(body).toMatch(/^dev \(docker\)$/m)
      expect(body).toMatch(/^ {2}state +running$/m)
      expect(body).toMatch(/^ {2}memory +[\d.]+ \/ 256 MB +[\d.]+%$/m)
    }
    // the terminal is handed back: cursor and line wrapping on again
    expect(out).toContain("\x1b[?7h\x1b[?25h")
  })

  it("--all --watch on a terminal: a table with the three machines in every frame", async () => {
    const run = startOnTerminal(sb, ["status", "--all", "--watch", "--interval", "1"], live)
    await run.until((out) => out.split("\x1b[H").length - 1 >= 2, 120_000, "two frames")
    run.child.stdin.write("\x03")
    expect(await run.exited, run.output()).toBe(0)
    const frame = run.output().split("\x1b[H")[2]!.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "")
    const rows = frame.split("\n").filter((l) => /^\w+ +(running|stopped)/.test(l))
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual([...MACHINES])
  })

  it("piped: one NDJSON line per frame, each `vm status --json` plus a timestamp; SIGINT ends it with exit 0", async () => {
    const started = Date.now()
    const run = startPiped(sb, ["status", "--watch", "--interval", "1"], live)
    await run.until((out) => out.split("\n").length > 3, 120_000, "three lines")
    process.kill(-run.child.pid!, "SIGINT")
    const ranS = (Date.now() - started) / 1000
    expect(await run.exited, run.output()).toBe(0)
    expect(run.output()).not.toContain("\x1b")
    const lines = ndjson(run.output())
    expect(lines.length).toBeGreaterThanOrEqual(3)
    const keys = Object.keys(parseJson<object>(await sb.runVm(["status", "--json"]))).sort()
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(["timestamp", ...keys].sort())
      expect(line).toMatchObject({ name: "dev", state: "running", errors: [], stale: false })
    }
    const times = lines.map((l) => Date.parse(l.timestamp))
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!)
    // frames start at most once per interval (a slow frame delays the next, they never pile up)
    expect(lines.length).toBeLessThanOrEqual(Math.floor(ranS) + 1)
  })

  it("--all --watch piped: a machine frozen, stopped or destroyed meanwhile is shown as such; the others go on", async () => {
    const run = startPiped(sb, ["status", "--all", "--watch", "--interval", "1"], live)
    const reports = () => ndjson(run.output())
    const framesOf = (name: string) => reports().filter((r) => r.name === name)
    await run.until(() => framesOf("db").length >= 2, 120_000, "two frames")

    // frozen: web's sshd stops answering; its row says so within timeouts.ssh, the watch goes on
    frozen = ids.get("web")!
    expect(await signalSshd(frozen, "SIGSTOP")).toBeGreaterThanOrEqual(1)
    const frozenAt = Date.now()
    await run.until(
      () => framesOf("web").some((r) => r.errors.some((e) => e.includes(`no answer within ${SSH_TIMEOUT_S} s`))),
      60_000,
      "web reported frozen"
    )
    expect(Date.now() - frozenAt).toBeLessThan((SSH_TIMEOUT_S + 20) * 1000)
    const seen = framesOf("dev").length
    await signalSshd(frozen, "SIGCONT")
    frozen = ""
    await run.until(() => framesOf("dev").length >= seen + 2, 60_000, "frames after the thaw")

    // stopped by another process: stopped on the next frame
    expectOk(await sb.runVm(["stop", "db"]))
    const stoppedAt = Date.now()
    await run.until(() => framesOf("db").filter((r) => Date.parse(r.timestamp) > stoppedAt).length >= 2, 60_000, "two frames after stop")
    const afterStop = framesOf("db").filter((r) => Date.parse(r.timestamp) > stoppedAt)
    // the first frame after `vm stop` returned may have asked before it did; the next one cannot have
    expect(afterStop[1]).toMatchObject({ state: "stopped", isRunning: false, errors: [] })
    if (Date.parse(afterStop[0]!.collectedAt) > stoppedAt) expect(afterStop[0]!.state).toBe("stopped")

    // destroyed: still a row, `missing`, saying why
    expectOk(await sb.runVm(["destroy", "--force", "db"]))
    const destroyedAt = Date.now()
    await run.until(() => framesOf("db").filter((r) => Date.parse(r.timestamp) > destroyedAt).length >= 2, 60_000, "two frames after destroy")
    const afterDestroy = framesOf("db").filter((r) => Date.parse(r.timestamp) > destroyedAt)
    // the first may have read the project's state while `vm destroy` was still removing the container
    expect(afterDestroy[0]).toMatchObject({ state: "missing", isRunning: false })
    expect(afterDestroy[1]).toMatchObject({ state: "missing", isRunning: false, errors: ["no machine named 'db' (known: dev, web)"] })

    process.kill(-run.child.pid!, "SIGINT")
    expect(await run.exited, run.output()).toBe(0)
    // every frame had every machine, one line each; the others stayed running throughout
    const byFrame = new Map<string, Array<string>>()
    for (const r of reports()) byFrame.set(r.timestamp, [...(byFrame.get(r.timestamp) ?? []), r.name])
    for (const names of byFrame.values()) expect(names).toEqual([...MACHINES])
    expect(framesOf("dev").every((r) => r.state === "running")).toBe(true)
    expect(framesOf("web").every((r) => r.state === "running")).toBe(true)
  })

  it("vm temp status --all: every temp VM, with its temp details; --json an array", async () => {
    expectOk(await sb.runVm(["temp", "create", "--name", "e2e-watch-temp"], { cwd: sb.root }))
    const reports = parseJson<ReadonlyArray<WatchedReport & { temp: { mounts: ReadonlyArray<unknown> } }>>(
      await sb.runVm(["temp", "status", "--all", "--json", "--fresh"], { cwd: sb.root })
    )
    expect(reports.map((r) => [r.name, r.state, r.errors])).toEqual([["e2e-watch-temp", "running", []]])
    expect(reports[0]!.temp.mounts).toEqual([])
    const table = await sb.runVm(["temp", "status", "--all"], { cwd: sb.root })
    expectOk(table)
    expect(table.stdout.split("\n").slice(1, 2)).toEqual([expect.stringMatching(/^e2e-watch-temp +running +/)])

    // and live: one NDJSON line per temp VM per frame, with its temp details
    const run = track(
      spawn(process.execPath, [VM_BIN, "temp", "status", "--all", "--watch", "--interval", "1"], {
        cwd: sb.root,
        env: vmEnv(sb.home, {}),
        detached: true
      }),
      live
    )
    await run.until((out) => out.split("\n").length > 2, 120_000, "two lines")
    process.kill(-run.child.pid!, "SIGINT")
    expect(await run.exited, run.output()).toBe(0)
    for (const line of ndjson(run.output())) {
      expect(line).toMatchObject({ name: "e2e-watch-temp", state: "running", errors: [], temp: { mounts: [] } })
    }
  })
})
