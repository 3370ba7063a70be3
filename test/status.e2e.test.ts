/**
 * `vm status` against real Vagrant (docker provider, local image): the CLI end to end, then the
 * status contract run in-process on the real provider layers. Every "Done when" item of the
 * status issue has a test here: live resources within bounds, uptime growing, a service from
 * vm.yaml (a busybox httpd the provisioner starts) running and then killed, a stopped and a missing
 * machine as valid reports, and a guest whose sshd is frozen reported within the ssh timeout.
 */
import { NodeContext } from "@effect/platform-node"
import { decodeGlobalConfig, decodeProjectConfig } from "@vm/core/config/decode"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Progress } from "@vm/core/Progress"
import { ProjectContext } from "@vm/core/ProjectContext"
import type { StatusReport } from "@vm/core/StatusReport"
import { statusContract } from "@vm/core/testing/statusContract"
import { ToolsLive, VagrantProviderLayer } from "@vm/vagrant/layers"
import { Effect, Either, Layer } from "effect"
import { cp, readFile } from "node:fs/promises"
import * as Net from "node:net"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPO_ROOT, realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox, type Sandbox, sh, vmEnv } from "./support/sandbox.js"
import { expectOk, listEntry, parseJson } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()

/** The bound of the guest part (timeouts.ssh) in these sandboxes: short, so the frozen case is quick. */
const SSH_TIMEOUT_S = 5
/** Node start-up, the state query and a loaded shared host, on top of the ssh bound. */
const SLACK_MS = 10_000

/** A loopback port nothing listens on now (guests share the host network). */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = Net.createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })

/** A busybox httpd named `httpd` (so the process probe has a name to find), detached by itself. */
const startHttpd = (port: number) =>
  `ln -sf /bin/busybox /usr/local/bin/httpd && mkdir -p /srv/www && httpd -p 127.0.0.1:${port} -h /srv/www`

/** Stops (SIGSTOP) or resumes (SIGCONT) every sshd process of a container, from the host. */
async function signalSshd(containerId: string, signal: "SIGSTOP" | "SIGCONT"): Promise<ReadonlyArray<number>> {
  const r = await sh("docker", ["top", containerId, "-o", "pid,comm"], { timeoutMs: 60_000 })
  if (r.exitCode !== 0) throw new Error(`docker top failed\n${formatResult(r)}`)
  const pids = r.stdout.split("\n").slice(1).map((l) => l.trim().split(/\s+/)).filter(([, comm]) => comm === "sshd").map(([pid]) =>
    Number(pid)
  )
  for (const pid of pids) process.kill(pid, signal)
  return pids
}

const status = async (sb: Sandbox, ...args: ReadonlyArray<string>) => {
  const r = await sb.runVm(["status", "--json", ...args])
  return { report: parseJson<StatusReport>(r), result: r }
}

// the contract's layer needs its project before the suite is collected
const setup = e2e.ok ? await contractSetup() : undefined

describe.runIf(e2e.ok)("vm status (real vagrant, docker provider)", () => {
  describe("the CLI on one machine with a service", () => {
    let sb: Sandbox
    let port: number
    let containerId = ""
    let frozen = false

    beforeAll(async () => {
      port = await freePort()
      sb = await makeSandbox({
        projectName: "e2e-status",
        userConfig: `timeouts:\n  ssh: ${SSH_TIMEOUT_S}\n`,
        vmYaml: [
          "project:",
          "  name: e2e-status",
          "vagrant:",
          "  provider: docker",
          "vm:",
          "  memory: 512",
          "  cpus: 1",
          "services:",
          "  web:",
          `    port: ${port}`,
          "    process: httpd",
          "  ghost:",
          "    process: no-such-daemon",
          "  disabled:",
          "    enabled: false",
          "    port: 1",
          "provision: |",
          `  ${startHttpd(port)}`,
          ""
        ].join("\n")
      })
      expectOk(await sb.runVm(["create"]))
      containerId = (await sb.containers())[0]?.id ?? ""
    })
    afterAll(async () => {
      if (frozen) await signalSshd(containerId, "SIGCONT").catch(() => [])
      await sb?.cleanup()
    })

    it("a running machine: memory limit, disk, CPU within 100 × cpus, uptime, services, no errors", async () => {
      const { report } = await status(sb, "--fresh")
      expect(report).toMatchObject({
        name: "dev",
        provider: "docker",
        machineId: containerId,
        state: "running",
        rawState: "running",
        isRunning: true,
        errors: [],
        notices: [],
        stale: false
      })
      const r = report.resources
      // vm.memory / vm.cpus became the container's cgroup limits: the guest's own /proc/meminfo would say the host's
      expect(r.memoryLimitMb).toBe(512)
      expect(r.cpuCount).toBe(1)
      expect(r.memoryUsedMb).toBeGreaterThan(0)
      expect(r.memoryUsedMb).toBeLessThan(512)
      expect(r.cpuPercent).toBeGreaterThanOrEqual(0)
      expect(r.cpuPercent).toBeLessThanOrEqual(100 * r.cpuCount!)
      expect(r.diskTotalGb).toBeGreaterThan(0)
      expect(r.diskUsedGb).toBeGreaterThan(0)
      expect(report.uptimeSeconds).toBeGreaterThanOrEqual(0)
      // container uptime, not the host's (/proc/uptime in a container is the host's)
      expect(report.uptimeSeconds).toBeLessThan(3600)
      expect(report.services).toEqual([
        { name: "web", isRunning: true, port, hostPort: port, detail: expect.stringMatching(new RegExp(`^pid \\d+, listening on ${port}$`)), error: null },
        { name: "ghost", isRunning: false, port: null, hostPort: null, detail: null, error: "no process named no-such-daemon" }
      ])
    })

    it("a report within 10 s of the last measures CPU over the whole time since, without a new sample", async () => {
      await status(sb, "--fresh")
      await new Promise((r) => setTimeout(r, 1500))
      const { report } = await status(sb, "--fresh")
      expect(report.errors).toEqual([])
      expect(report.resources.cpuWindowSeconds).toBeGreaterThanOrEqual(1.5)
      expect(report.resources.cpuWindowSeconds).toBeLessThan(10)
      expect(report.resources.cpuPercent).toBeGreaterThanOrEqual(0)
    })

    it("the ssh-config vm writes from the allocated port is what `vagrant ssh-config` prints, line for line", async () => {
      const { report } = await status(sb, "--fresh")
      expect(report.errors).toEqual([])
      const ours = await readFile(join(sb.project, ".vm/ssh", `${report.machine}.config`), "utf8")
      const r = await sh("vagrant", ["ssh-config", report.machine], {
        cwd: sb.project,
        env: {
          ...vmEnv(sb.home, {}),
          VAGRANT_CWD: sb.project,
          VAGRANT_VAGRANTFILE: "Vagrantfile.vmtool",
          VAGRANT_DOTFILE_PATH: ".vm/vagrant",
          VAGRANT_NO_COLOR: "1"
        },
        timeoutMs: 120_000
      })
      expectOk(r)
      expect(ours).toBe(r.stdout.replace(/\n+$/, "\n"))
    })

    it("uptime grows", async () => {
      const first = (await status(sb, "--fresh")).report
      await new Promise((r) => setTimeout(r, 2500))
      const second = (await status(sb, "--fresh")).report
      expect(second.uptimeSeconds!).toBeGreaterThan(first.uptimeSeconds!)
    })

    it("a report within status.cache_seconds comes from the cache, marked stale; --fresh collects again", async () => {
      const live = (await status(sb, "--fresh")).report
      const cached = (await status(sb)).report
      expect(cached).toEqual({ ...live, stale: true })
      expect((await status(sb, "--fresh")).report.stale).toBe(false)
    })

    it("the dashboard shows state, resources and one line per enabled service; no colour when piped", async () => {
      const r = await sb.runVm(["status", "--fresh"])
      expectOk(r)
      expect(r.stdout).not.toContain("\x1b[")
      expect(r.stdout).toMatch(/^dev \(docker\)$/m)
      expect(r.stdout).toMatch(/^ {2}state +running$/m)
      expect(r.stdout).toMatch(/^ {2}memory +[\d.]+ \/ 512 MB +[\d.]+%$/m)
      expect(r.stdout).toMatch(/^ {2}disk +[\d.]+ \/ [\d.]+ GB +[\d.]+%$/m)
      expect(r.stdout).toMatch(new RegExp(`^ {4}● web +running +:${port} → ${port} +pid \\d+, listening on ${port}$`, "m"))
      expect(r.stdout).toMatch(/^ {4}○ ghost +down +no process named no-such-daemon$/m)
      expect(r.stdout).not.toContain("disabled")
      expect(r.stdout).toMatch(/^ {2}connect: vm ssh dev$/m)
    })

    it("the same report from the TypeScript sources (tsx, VM_DEV=1) as from the bundle", async () => {
      const r = await sb.runVm(["status", "--json", "--fresh"], { env: { VM_DEV: "1" } })
      const report = parseJson<StatusReport>(r)
      expect(report.errors).toEqual([])
      expect(report.resources.memoryLimitMb).toBe(512)
    })

    it("the bundle copied away from the checkout (no sources to fall back on) still finds its guest script", async () => {
      const copy = join(sb.root, "installed")
      await cp(join(REPO_ROOT, "packages/cli/dist"), copy, { recursive: true })
      const r = await sh(process.execPath, [join(copy, "vm.cjs"), "status", "--json", "--fresh"], {
        cwd: sb.project,
        // as the sandbox runs vm (the contract below points this process's VAGRANT_HOME elsewhere)
        env: { HOME: sb.home, VAGRANT_HOME: join(sb.home, ".vagrant.d"), NO_COLOR: "1", VM_NO_PROGRESS: "1" },
        timeoutMs: 120_000
      })
      const report = parseJson<StatusReport>(r)
      expect(report.errors).toEqual([])
      expect(report.resources.memoryLimitMb).toBe(512)
    })

    it("a service killed inside the guest shows not running, with the reason", async () => {
      expectOk(await sb.runVm(["exec", "--", "sudo", "pkill", "-x", "httpd"]))
      const web = (await status(sb, "--fresh")).report.services.find((s) => s.name === "web")
      expect(web).toEqual({
        name: "web",
        isRunning: false,
        port,
        hostPort: port,
        detail: null,
        error: `no process named httpd; nothing listens on port ${port}`
      })
      expectOk(await sb.runVm(["exec", "--", "sudo", "sh", "-c", startHttpd(port)]))
      expect((await status(sb, "--fresh")).report.services[0]?.isRunning).toBe(true)
    })

    it("a guest whose sshd is stopped: exit 0, state running and an ssh error, within the timeout", async () => {
      const pids = await signalSshd(containerId, "SIGSTOP")
      frozen = true
      expect(pids.length).toBeGreaterThanOrEqual(1)
      try {
        const { report, result } = await status(sb, "--fresh")
        expect(report).toMatchObject({ state: "running", isRunning: true })
        expect(report.errors).toEqual([`ssh to 'dev' failed: no answer within ${SSH_TIMEOUT_S} s (is the guest or its sshd frozen?)`])
        expect(report.resources.memoryLimitMb).toBeNull()
        expect(report.services.map((s) => s.isRunning)).toEqual([null, null])
        expect(result.durationMs).toBeGreaterThanOrEqual(SSH_TIMEOUT_S * 1000)
        expect(result.durationMs, formatResult(result)).toBeLessThan(SSH_TIMEOUT_S * 1000 + SLACK_MS)
        const text = await sb.runVm(["status", "--fresh"])
        expectOk(text)
        expect(text.stdout).toContain("✖ ssh to 'dev' failed: no answer within")
      } finally {
        await signalSshd(containerId, "SIGCONT")
        frozen = false
      }
      const recovered = (await status(sb, "--fresh")).report
      expect(recovered.errors).toEqual([])
      expect(recovered.resources.memoryLimitMb).toBe(512)
    })

    it("a stopped machine: state stopped, no resources, services stopped, exit 0", async () => {
      expectOk(await sb.runVm(["stop"]))
      const { report } = await status(sb)
      expect(report).toMatchObject({
        state: "stopped",
        rawState: "stopped",
        isRunning: false,
        machineId: containerId,
        uptimeSeconds: null,
        errors: [],
        resources: {
          cpuPercent: null,
          cpuWindowSeconds: null,
          cpuCount: null,
          memoryUsedMb: null,
          memoryLimitMb: null,
          diskUsedGb: null,
          diskTotalGb: null
        }
      })
      expect(report.services.map((s) => [s.name, s.isRunning])).toEqual([["web", false], ["ghost", false]])
      const text = await sb.runVm(["status"])
      expectOk(text)
      expect(text.stdout).toMatch(/^ {2}start: vm start dev$/m)
    })

    it("a machine removed behind Vagrant's back is a valid report: missing", async () => {
      const rm = await sh("docker", ["rm", "-f", containerId], { timeoutMs: 60_000 })
      expectOk(rm)
      const { report } = await status(sb)
      expect(report).toMatchObject({ state: "missing", rawState: "not_created", isRunning: false, errors: [] })
      expect(await listEntry(sb, "dev")).toMatchObject({ state: "missing", rawState: "not_created" })
    })
  })

  // The same contract the fake provider passes (packages/vagrant/test/statusContract.test.ts).
  describe("status contract on the real provider layers", () => {
    afterAll(async () => {
      await setup?.thaw().catch(() => undefined)
      await setup?.sandbox.cleanup()
      if (setup) process.env["VAGRANT_HOME"] = setup.previousVagrantHome
    })
    if (setup) statusContract("Vagrant provider, docker, real Vagrant", setup.layer, setup.options)
  })
})

async function contractSetup() {
  const port = await freePort()
  const yaml = ["project:", "  name: e2e-status-contract", "vagrant:", "  provider: docker", "services:", "  web:", `    port: ${port}`, ""]
    .join("\n")
  const sandbox = await makeSandbox({ projectName: "e2e-status-contract", vmYaml: yaml })
  // the in-process provider runs vagrant with this process's environment: keep its data in the sandbox
  const previousVagrantHome = process.env["VAGRANT_HOME"]
  process.env["VAGRANT_HOME"] = join(sandbox.home, ".vagrant.d")
  const ctx = {
    root: sandbox.project,
    configFile: join(sandbox.project, "vm.yaml"),
    config: Either.getOrThrow(decodeProjectConfig(yaml, "vm.yaml")),
    global: Either.getOrThrow(decodeGlobalConfig(`timeouts:\n  ssh: ${SSH_TIMEOUT_S}\n`, "config.yaml")),
    home: sandbox.home
  }
  const layer = VagrantProviderLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(Layer.succeed(ProjectContext, ctx), ToolsLive, Progress.silent)),
    Layer.provideMerge(NodeContext.layer)
  )
  let frozenIn = ""
  const containerOf = Effect.flatMap(Lifecycle, (l) => l.state("dev")).pipe(Effect.map((i) => i.id ?? ""))
  const exec = (argv: ReadonlyArray<string>) =>
    Effect.flatMap(Lifecycle, (l) => l.exec("dev", argv, { output: "capture" })).pipe(
      Effect.filterOrDieMessage((r) => r.exitCode === 0, `guest command failed: ${argv.join(" ")}`)
    )
  return {
    sandbox,
    previousVagrantHome,
    layer,
    thaw: () => (frozenIn === "" ? Promise.resolve([]) : signalSshd(frozenIn, "SIGCONT")),
    options: {
      instance: "dev",
      timeout: 600_000,
      service: {
        name: "web",
        port,
        start: exec(["sudo", "sh", "-c", startHttpd(port)]),
        kill: exec(["sudo", "pkill", "-x", "httpd"])
      },
      freezeSsh: Effect.flatMap(containerOf, (id) =>
        Effect.promise(() => {
          frozenIn = id
          return signalSshd(id, "SIGSTOP")
        })),
      thawSsh: Effect.promise(() => signalSshd(frozenIn, "SIGCONT")).pipe(Effect.tap(() => (frozenIn = ""))),
      sshTimeoutMs: SSH_TIMEOUT_S * 1000
    }
  }
}
