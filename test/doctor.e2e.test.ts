/**
 * `vm doctor` through the real CLI on this host: all good with the docker provider (and without a vm.yaml, for
 * every provider installed here), and a docker daemon that cannot be reached named with its fix and exit 1.
 */
import { createServer, type Server, type Socket } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox } from "./support/sandbox.js"
import { expectExit, expectOk } from "./support/vm.js"

interface DoctorJson {
  readonly ok: boolean
  readonly providers: ReadonlyArray<string>
  readonly checks: ReadonlyArray<{
    readonly name: string
    readonly provider: string | null
    readonly status: "ok" | "warn" | "fail" | "skip"
    readonly detail: string
    readonly fix?: string
  }>
}

const e2e = await realVagrantAvailable()
const sandbox = e2e.ok
  ? await makeSandbox({ projectName: "e2e-doctor", vmYaml: "project:\n  name: e2e-doctor\nvagrant:\n  provider: docker\n" })
  : undefined
const NOWHERE = "unix:///nonexistent.sock"

const parse = (stdout: string, command: string): DoctorJson => {
  try {
    return JSON.parse(stdout) as DoctorJson
  } catch (e) {
    throw new Error(`${command}: stdout is not JSON (${String(e)})\n${stdout}`)
  }
}

describe.runIf(sandbox !== undefined)("vm doctor (real host)", () => {
  if (sandbox === undefined) return
  afterAll(() => sandbox.cleanup())

  it("a docker project on this host: all good, exit 0, one line per check", async () => {
    const r = await sandbox.runVm(["doctor"])
    expectOk(r)
    expect(r.stdout, formatResult(r)).not.toMatch(/^FAIL/m)
    for (const name of ["vagrant", "ssh client", "ssh control directory", "docker: daemon", "docker: image vm-local/debian:bookworm"]) {
      expect(r.stdout, formatResult(r)).toMatch(new RegExp(`^ok +${name.replace(/[.:]/g, "\\$&")} `, "m"))
    }
    expect(r.stdout.trim().split("\n").at(-1), formatResult(r)).toMatch(/^(all good|vm has what it needs)/)
  })

  it("--json parses: every check named, none failed, the docker daemon and image ok", async () => {
    const r = await sandbox.runVm(["doctor", "--json"])
    expectOk(r)
    const report = parse(r.stdout, r.command)
    expect(report.ok).toBe(true)
    expect(report.providers).toEqual(["docker"])
    expect(report.checks.filter((c) => c.status === "fail"), formatResult(r)).toEqual([])
    const status = (name: string) => report.checks.find((c) => c.name === name)?.status
    expect(status("vagrant")).toBe("ok")
    expect(status("docker: daemon")).toBe("ok")
    expect(status("docker: image vm-local/debian:bookworm")).toBe("ok")
    expect(status("docker: disk")).toBe("ok")
  })

  it(`DOCKER_HOST=${NOWHERE}: names the docker daemon problem and the fix, exit 1; --json still parses`, async () => {
    const r = await sandbox.runVm(["doctor"], { env: { DOCKER_HOST: NOWHERE } })
    expectExit(r, 1)
    const line = r.stdout.split("\n").find((l) => l.startsWith("FAIL") && l.includes("docker: daemon"))
    expect(line, formatResult(r)).toBeDefined()
    expect(line).toContain(`Cannot connect to the Docker daemon at ${NOWHERE}`)
    expect(line).toMatch(/fix: .*unset DOCKER_HOST/)
    expect(r.stderr, formatResult(r)).toContain("docker: daemon")

    const j = await sandbox.runVm(["doctor", "--json"], { env: { DOCKER_HOST: NOWHERE } })
    expectExit(j, 1)
    const report = parse(j.stdout, j.command)
    expect(report.ok).toBe(false)
    const daemon = report.checks.find((c) => c.name === "docker: daemon")
    expect(daemon?.status, formatResult(j)).toBe("fail")
    expect(daemon?.fix).toContain("DOCKER_HOST")
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.name)).toEqual(["docker: daemon"])
  })

  it("a docker daemon that accepts connections but never answers is a failed check within --timeout, not a hang", async () => {
    // a loopback listener that takes the connection and says nothing, like a wedged daemon
    const sockets: Array<Socket> = []
    const server: Server = createServer((s) => sockets.push(s))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const address = server.address()
    if (address === null || typeof address === "string") throw new Error("no listener port")
    try {
      const r = await sandbox.runVm(["doctor", "--timeout", "2"], { env: { DOCKER_HOST: `tcp://127.0.0.1:${address.port}` }, timeoutMs: 60_000 })
      expectExit(r, 1)
      expect(r.durationMs, formatResult(r)).toBeLessThan(20_000)
      const line = r.stdout.split("\n").find((l) => l.startsWith("FAIL") && l.includes("docker: daemon"))
      expect(line, formatResult(r)).toMatch(/did not answer within 2 s|no answer within/)
      expect(line).toContain("fix: ")
      expect(r.stdout, formatResult(r)).toMatch(/^ok +vagrant /m)
    } finally {
      sockets.forEach((s) => s.destroy())
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it("the vm errors a dead docker daemon causes point to vm doctor", async () => {
    const r = await sandbox.runVm(["create"], { env: { DOCKER_HOST: NOWHERE } })
    expectExit(r, 1)
    expect(r.stderr, formatResult(r)).toContain("`vm doctor`")
  })

  it("without a vm.yaml: the providers installed here are checked, all good", async () => {
    // the sandbox's home has no vm.yaml in it or above
    const r = await sandbox.runVm(["doctor", "--json"], { cwd: sandbox.home })
    expectOk(r)
    const report = parse(r.stdout, r.command)
    expect(report.checks.filter((c) => c.status === "fail"), formatResult(r)).toEqual([])
    expect(report.providers).toContain("docker")
    const status = (name: string) => report.checks.find((c) => c.name === name)?.status
    expect(status("docker: daemon")).toBe("ok")
    // libvirt where it is installed (virsh and libvirtd on the full-VM hosts); a box it has not got yet only warns
    if (report.providers.includes("libvirt")) {
      expect(status("libvirt: libvirtd"), formatResult(r)).toBe("ok")
      expect(status("libvirt: plugin vagrant-libvirt"), formatResult(r)).toBe("ok")
    }
  })
})
