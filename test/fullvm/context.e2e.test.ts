/**
 * Full-VM tier: config changes applied by `vm restart` on a real QEMU (TCG) machine through
 * vagrant-libvirt. On a hypervisor provider memory, vCPUs, environment and synced folders are all
 * applied by `vagrant reload`: the same domain (same UUID = same machineId) boots with the new
 * settings, which the guest kernel then shows (MemTotal, nproc) — never a recreate.
 *
 * One machine, one ordered story:
 *   0. create with 1024 MB, 2 vCPUs, X=one
 *   1. vm.yaml: 1536 MB, 1 vCPU, X=two → drift (reload) → restart reloads → the guest has them
 *   2. a synced folder is added → drift (reload) → restart reloads → the marker is visible
 */
import { chown, mkdir, readFile, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fullVmAvailable, type FullVmSandbox, libvirtVmYaml, makeFullVmSandbox } from "../support/fullvm.js"
import { formatResult, type RunResult } from "../support/sandbox.js"
import { expectOk, parseJson } from "../support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const fullvm = await fullVmAvailable()

const NAME = "fv-ctx"
const BOOT_MS = 600_000
const MARKER = "marker from a host folder\n"

const yaml = (memory: number, cpus: number, x: string, folders: ReadonlyArray<string> = []) =>
  libvirtVmYaml(NAME, { memory, cpus, extra: ["environment:", `  X: ${x}`, ...folders] })

interface StatusWithDrift {
  readonly machineId: string | null
  readonly state: string
  readonly configChanged: boolean
  readonly drift: { readonly applyBy: string; readonly reasons: ReadonlyArray<string> } | null
}

describe.runIf(fullvm.ok)("vm restart applies config changes to a full VM by reload (libvirt, QEMU/TCG)", () => {
  let sb: FullVmSandbox
  let machineId: string | null = null

  const vm = async (args: ReadonlyArray<string>, timeoutMs = 300_000): Promise<RunResult> => {
    const r = await sb.runVm(args, { timeoutMs })
    expectOk(r)
    return r
  }
  const guest = async (script: string) => (await vm(["exec", "--", "sh", "-c", script])).stdout
  const status = async () => parseJson<StatusWithDrift>(await sb.runVm(["status", "--json", "--fresh"], { timeoutMs: 120_000 }))
  const memTotalMb = async () => Number(/^MemTotal:\s+(\d+) kB$/m.exec(await guest("cat /proc/meminfo"))?.[1]) / 1024
  const guestUptime = async () => Number((await guest("cut -d' ' -f1 /proc/uptime")).trim())

  beforeAll(async () => {
    sb = await makeFullVmSandbox({ projectName: NAME, vmYaml: yaml(1024, 2, "one") })
  })
  afterAll(async () => {
    await sb?.cleanup()
  })

  it("0. create: 1024 MB, 2 vCPUs, X=one; no drift", async () => {
    await vm(["create"], BOOT_MS)
    const s = await status()
    expect(s).toMatchObject({ state: "running", configChanged: false, drift: null })
    machineId = s.machineId
    expect(machineId).toMatch(/^[0-9a-f-]{36}$/)
    expect(await guest("echo $X; nproc")).toBe("one\n2\n")
    const mem = await memTotalMb()
    expect(mem).toBeGreaterThan(1024 * 0.9)
    expect(mem).toBeLessThanOrEqual(1024)
  })

  it("1. memory, cpus and an environment value changed: drift says reload; restart reloads the same domain, the guest has them", async () => {
    await writeFile(join(sb.project, "vm.yaml"), yaml(1536, 1, "two"))
    const before = await status()
    expect(before).toMatchObject({ state: "running", configChanged: true, machineId, drift: { applyBy: "reload" } })
    expect([...before.drift!.reasons].sort()).toEqual([
      "cpus changed (2 → 1)",
      "environment changed (X)",
      "memory changed (1024 MB → 1536 MB)"
    ])
    expect(await guest("echo $X"), "nothing applied before the restart").toBe("one\n")

    const uptimeBefore = await guestUptime()
    const restart = await vm(["restart"], BOOT_MS)
    expect(restart.stderr, formatResult(restart)).not.toMatch(/recreat/)
    expect(restart.stderr, formatResult(restart)).toContain("applying config changes to dev:")
    expect(restart.stdout, formatResult(restart)).toContain("dev: running [libvirt]")

    const after = await status()
    expect(after).toMatchObject({ state: "running", configChanged: false, drift: null, machineId })
    // the guest rebooted (reload), as the same domain
    expect(await guestUptime()).toBeLessThan(uptimeBefore + restart.durationMs / 1000)
    const mem = await memTotalMb()
    expect(mem).toBeGreaterThan(1536 * 0.9)
    expect(mem).toBeLessThanOrEqual(1536)
    expect(await guest("nproc")).toBe("1\n")
    expect(await guest("echo $X")).toBe("two\n")
  })

  it("2. a synced folder added: drift says reload; restart reloads the same domain; the host folder's marker is visible", async () => {
    const shared = join(sb.root, "shared")
    await mkdir(shared)
    await writeFile(join(shared, "marker"), MARKER)
    // 9p passthrough: the guest user (uid 1000) reads and writes as itself
    await chown(shared, 1000, 1000)
    await chown(join(shared, "marker"), 1000, 1000)
    await writeFile(join(sb.project, "vm.yaml"), yaml(1536, 1, "two", ["synced_folders:", "  - { source: ../shared, target: /shared }"]))

    const before = await status()
    expect(before).toMatchObject({
      configChanged: true,
      machineId,
      drift: { applyBy: "reload", reasons: ["synced folders changed (+/shared)"] }
    })
    const restart = await vm(["restart"], BOOT_MS)
    expect(restart.stderr, formatResult(restart)).not.toMatch(/recreat/)
    expect(restart.stderr, formatResult(restart)).toContain("applying config changes to dev: synced folders changed (+/shared)")

    expect(await status()).toMatchObject({ state: "running", configChanged: false, drift: null, machineId })
    expect(await guest("cat /shared/marker")).toBe(MARKER)
    await guest("echo from the guest > /shared/back")
    expect(await readFile(join(shared, "back"), "utf8")).toBe("from the guest\n")
    expect((await stat(join(shared, "back"))).uid).toBe(1000)
    // the earlier changes are still in place
    expect(await guest("nproc; echo $X")).toBe("1\ntwo\n")
  })
})
