/**
 * Full-VM tier: `vm status --json` on a real QEMU (TCG) machine through vagrant-libvirt. Unlike a
 * container, every number must come from the VM itself: MemTotal of the guest kernel (≈ 94–96 % of
 * vm.memory), its vCPUs, its uptime, its own disk (the box's 4 GB image, not the host's); a service
 * from vm.yaml running and killed; and a PANICKED guest (kernel panic via sysrq: libvirt and
 * Vagrant still say running, ssh gets no answer) reported within timeouts.ssh, without hanging.
 */
import { statfs } from "node:fs/promises"
import { uptime as hostUptime } from "node:os"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { noResources, type StatusReport } from "@vm/core/StatusReport"
import { domState, fullVmAvailable, type FullVmSandbox, libvirtVmYaml, makeFullVmSandbox, panicGuest, virsh } from "../support/fullvm.js"
import { formatResult, type RunResult } from "../support/sandbox.js"
import { expectOk, parseJson } from "../support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const fullvm = await fullVmAvailable()

const NAME = "fv-status"
const MEMORY_MB = 1024
const CPUS = 2
const SERVICE_PORT = 8080
/** timeouts.ssh in the sandbox's ~/.vm/config.yaml: the bound of the guest part of a report. */
const SSH_TIMEOUT_S = 5
/** Node start-up, the state query and a loaded 2-core host (one core spun by the panicked guest). */
const SLACK_MS = 6_000
const BOOT_MS = 600_000

/** busybox httpd as `httpd` (a name the process probe can find), detached by itself. */
const START_HTTPD = `ln -sf /usr/bin/busybox /usr/local/bin/httpd && mkdir -p /srv/www && httpd -p 0.0.0.0:${SERVICE_PORT} -h /srv/www`

describe.runIf(fullvm.ok)("vm status on a full VM (libvirt, QEMU/TCG)", () => {
  let sb: FullVmSandbox
  let uuid = ""
  let createdAt = 0

  const status = async (...args: ReadonlyArray<string>): Promise<{ report: StatusReport; result: RunResult }> => {
    const result = await sb.runVm(["status", "--json", ...args], { timeoutMs: 120_000 })
    return { report: parseJson<StatusReport>(result), result }
  }
  const guest = async (script: string) => {
    const r = await sb.runVm(["exec", "--", "sh", "-c", script])
    expectOk(r)
    return r.stdout
  }
  const web = (report: StatusReport) => report.services.find((s) => s.name === "web")

  beforeAll(async () => {
    sb = await makeFullVmSandbox({
      projectName: NAME,
      userConfig: `timeouts:\n  ssh: ${SSH_TIMEOUT_S}\n`,
      vmYaml: libvirtVmYaml(NAME, { memory: MEMORY_MB, cpus: CPUS, extra: ["services:", "  web:", `    port: ${SERVICE_PORT}`] })
    })
    createdAt = Date.now()
    const r = await sb.runVm(["create"], { timeoutMs: BOOT_MS })
    expectOk(r)
    uuid = (await virsh(["domuuid", `${NAME}_dev`])).stdout.trim()
  })
  afterAll(async () => {
    await sb?.cleanup()
  })

  it("resources are the VM's own: MemTotal within 10 % of vm.memory, vm.cpus vCPUs, its own 4 GB disk, no errors", async () => {
    const { report } = await status("--fresh")
    expect(report).toMatchObject({
      name: "dev",
      provider: "libvirt",
      machineId: uuid,
      state: "running",
      rawState: "running",
      isRunning: true,
      errors: [],
      stale: false
    })
    const r = report.resources
    const meminfoKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(await guest("cat /proc/meminfo"))?.[1])
    expect(r.memoryLimitMb, JSON.stringify(r)).toBeGreaterThanOrEqual(MEMORY_MB * 0.9)
    expect(r.memoryLimitMb).toBeLessThanOrEqual(MEMORY_MB)
    expect(r.memoryLimitMb).toBeCloseTo(meminfoKb / 1024, 0)
    expect(r.memoryUsedMb).toBeGreaterThan(0)
    expect(r.memoryUsedMb).toBeLessThan(r.memoryLimitMb!)
    expect(r.cpuCount).toBe(CPUS)
    expect(r.cpuPercent).toBeGreaterThanOrEqual(0)
    expect(r.cpuPercent).toBeLessThanOrEqual(100 * CPUS)
    // the box's disk image is 4 GB (ext4 of it ≈ 3.9 GB); the host's root is another size entirely
    expect(r.diskTotalGb).toBeGreaterThan(3.5)
    expect(r.diskTotalGb).toBeLessThan(4.3)
    const host = await statfs("/")
    const hostGb = (host.blocks * host.bsize) / 1024 ** 3
    expect(Math.abs(hostGb - r.diskTotalGb!), `host / is ${hostGb.toFixed(2)} GB`).toBeGreaterThan(0.5)
    expect(r.diskUsedGb).toBeGreaterThan(0)
    expect(r.diskUsedGb).toBeLessThan(r.diskTotalGb!)
  })

  it("uptime is the guest kernel's and grows between two fresh reports", async () => {
    const first = (await status("--fresh")).report
    const guestUptime = Number((await guest("cut -d' ' -f1 /proc/uptime")).trim())
    await new Promise((r) => setTimeout(r, 2500))
    const second = (await status("--fresh")).report
    expect(first.uptimeSeconds).not.toBeNull()
    expect(second.uptimeSeconds!).toBeGreaterThan(first.uptimeSeconds!)
    // booted during `vm create`, not when the host did
    const sinceCreate = (Date.now() - createdAt) / 1000
    expect(second.uptimeSeconds!).toBeLessThanOrEqual(sinceCreate + 1)
    expect(second.uptimeSeconds!).toBeLessThan(hostUptime())
    expect(Math.abs(first.uptimeSeconds! - guestUptime), `guest /proc/uptime ${guestUptime}`).toBeLessThan(15)
  })

  it("the service from vm.yaml: not running, running once started, not running once killed", async () => {
    const before = web((await status("--fresh")).report)
    expect(before).toMatchObject({ name: "web", isRunning: false, port: SERVICE_PORT })
    expect(before?.error).toContain(String(SERVICE_PORT))

    await guest(`sudo sh -c '${START_HTTPD}'`)
    const up = web((await status("--fresh")).report)
    expect(up, JSON.stringify(up)).toMatchObject({ name: "web", isRunning: true, port: SERVICE_PORT, error: null })
    expect(up?.detail).toContain(String(SERVICE_PORT))

    await guest("sudo pkill -x httpd")
    const down = web((await status("--fresh")).report)
    expect(down, JSON.stringify(down)).toMatchObject({ name: "web", isRunning: false, port: SERVICE_PORT })
    expect(down?.error).toContain(String(SERVICE_PORT))
  })

  it("a panicked guest: exit 0, state running, an ssh error, within timeouts.ssh + a few seconds", async () => {
    const { cpuShare } = await panicGuest(sb, uuid)
    // libvirt still calls it running: only the guest is gone
    expect(await domState(uuid)).toBe("running")
    const { report, result } = await status("--fresh")
    console.log(`status of a panicked guest (qemu at ${(cpuShare * 100).toFixed(0)} % of a core): ${result.durationMs} ms\n${result.stdout}`)
    expect(report).toMatchObject({ name: "dev", machineId: uuid, state: "running", isRunning: true, stale: false, uptimeSeconds: null })
    expect(report.errors, formatResult(result)).toHaveLength(1)
    expect(report.errors[0]).toMatch(/^ssh to 'dev' failed/)
    expect(report.errors[0]).toContain(`${SSH_TIMEOUT_S} s`)
    expect(report.resources).toEqual(noResources)
    expect(web(report)?.isRunning).toBeNull()
    expect(result.durationMs, formatResult(result)).toBeLessThan(SSH_TIMEOUT_S * 1000 + SLACK_MS)

    // the dashboard says the same, as quickly
    const text = await sb.runVm(["status", "--fresh"], { timeoutMs: 120_000 })
    expectOk(text)
    expect(text.stdout, formatResult(text)).toContain("✖ ssh to 'dev' failed")
    expect(text.durationMs, formatResult(text)).toBeLessThan(SSH_TIMEOUT_S * 1000 + SLACK_MS)
  })

  it("destroy removes the panicked machine: no domain, no disk volume", async () => {
    const r = await sb.runVm(["destroy", "--force"], { timeoutMs: 300_000 })
    expectOk(r)
    expect(r.stdout, formatResult(r)).toContain("dev: destroyed")
    expect(await sb.domains()).toEqual([])
    expect(await domState(uuid)).toBeUndefined()
    expect((await virsh(["vol-list", "default"])).stdout).not.toContain(`${NAME}_dev`)
  })
})
