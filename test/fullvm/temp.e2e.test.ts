/**
 * Full-VM tier: `vm temp` on a real QEMU (TCG) machine through vagrant-libvirt: a temp VM with a rw
 * and a ro 9p mount, a third directory mounted later (applied by `vagrant reload`: the same domain
 * reboots with the new share), unmounted again, destroyed.
 *
 * A temp VM has no vm.yaml: its provider, box and libvirt settings come from ~/.vm/config.yaml
 * (`defaults.provider`/`defaults.box`, and the global `libvirt:` section for the loopback-only user
 * networking). Before anything boots, the test checks that this config really gives the temp VM user
 * networking: without it vagrant-libvirt would create its management network (a bridge and dnsmasq
 * on the host), which this host must never get.
 */
import { decodeGlobalConfig } from "@vm/core/config/decode"
import { tempProjectConfig } from "@vm/vagrant/temp/tempContext"
import { Either } from "effect"
import { chown, mkdir, readFile, stat, writeFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { BOX_NAME, domainNames, domState, fullVmAvailable, type FullVmSandbox, makeFullVmSandbox, virsh } from "../support/fullvm.js"
import { formatResult, type RunResult } from "../support/sandbox.js"
import { expectExit, expectOk, parseJson } from "../support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const fullvm = await fullVmAvailable()

const TEMP = "fvtmp"
const BOOT_MS = 600_000
const USER_CONFIG = [
  "defaults:",
  "  provider: libvirt",
  `  box: ${BOX_NAME}`,
  "  memory: 1024",
  "  cpus: 2",
  "libvirt:",
  "  networking: user",
  "  isolated: true",
  ""
].join("\n")

interface MountJson {
  readonly source: string
  readonly target: string
  readonly readonly: boolean
}

/** The tool-managed section of a temp VM's Vagrantfile.vmtool. */
const foldersSection = (vagrantfile: string): string => {
  const m = /# BEGIN SYNCED FOLDERS\n([\s\S]*?)# END SYNCED FOLDERS/.exec(vagrantfile)
  if (!m) throw new Error(`no SYNCED FOLDERS section in\n${vagrantfile}`)
  return m[1]!
}

/** A host directory owned by the guest user (9p passthrough: guest uid 1000 is host uid 1000), holding one file. */
const hostDir = async (parent: string, name: string, content: string) => {
  const dir = join(parent, name)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, `${name}.txt`), content)
  await chown(dir, 1000, 1000)
  await chown(join(dir, `${name}.txt`), 1000, 1000)
  return dir
}

describe.runIf(fullvm.ok)("vm temp on a full VM (libvirt, QEMU/TCG, 9p mounts)", () => {
  let sb: FullVmSandbox
  let dirs: { src: string; docs: string; data: string }
  let uuid = ""
  let networksBefore: ReadonlyArray<string> = []
  /** Set by the first test: only then may a temp VM boot (else it would get vagrant-libvirt's management network). */
  let guardOk = false
  const tempDir = () => join(sb.home, ".vm", "temp", TEMP)
  const vagrantfile = () => readFile(join(tempDir(), "Vagrantfile.vmtool"), "utf8")
  const vm = (args: ReadonlyArray<string>, timeoutMs = 300_000) => sb.runVm(["temp", ...args], { cwd: sb.root, timeoutMs })
  const vmOk = async (args: ReadonlyArray<string>, timeoutMs?: number): Promise<RunResult> => {
    const r = await vm(args, timeoutMs)
    expectOk(r)
    return r
  }
  const exec = (script: string) => vm(["exec", "--name", TEMP, "--", "sh", "-c", script])
  const execOk = async (script: string) => {
    const r = await exec(script)
    expectOk(r)
    return r.stdout
  }
  const machineId = async () => parseJson<{ machineId: string | null }>(await vm(["status", "--name", TEMP, "--json"])).machineId
  const networks = async () => (await virsh(["net-list", "--all", "--name"])).stdout.split("\n").map((s) => s.trim()).filter(Boolean)

  beforeAll(async () => {
    // extraProjects: the temp VM's domain is `<name>_…` (its project dir is ~/.vm/temp/<name>), also once that dir is gone
    sb = await makeFullVmSandbox({ projectName: "fv-temp-cwd", userConfig: USER_CONFIG, extraProjects: [TEMP] })
    const host = join(sb.root, "host")
    dirs = {
      src: await hostDir(host, "src", "source file\n"),
      docs: await hostDir(host, "docs", "read-only docs\n"),
      data: await hostDir(host, "data", "data file\n")
    }
    networksBefore = await networks()
  })
  afterAll(async () => {
    await sb?.cleanup()
    // had vagrant-libvirt created its management network after all, take it away again
    for (const net of await networks().catch(() => [] as Array<string>)) {
      if (networksBefore.includes(net)) continue
      console.warn(`temp test: removing libvirt network ${net} a temp VM created`)
      await virsh(["net-destroy", net])
      await virsh(["net-undefine", net])
    }
  })

  it("the global config gives a libvirt temp VM loopback-only user networking (checked before anything boots)", async () => {
    const global = decodeGlobalConfig(USER_CONFIG, join(sb.home, ".vm", "config.yaml"))
    expect(
      Either.isRight(global),
      `PRODUCT GAP: ~/.vm/config.yaml cannot give temp VMs libvirt settings: ${Either.isLeft(global) ? String(global.left) : ""}`
    ).toBe(true)
    // what a temp VM's Vagrantfile is rendered from: no vm.yaml, the global config's defaults filled in
    const effective = await import("@vm/core/config/effective").then(
      (m) => m.withGlobalDefaults(tempProjectConfig("libvirt"), Either.getOrThrow(global)),
      (e: unknown) => {
        throw new Error(`PRODUCT GAP: no way to give a temp VM libvirt settings (@vm/core/config/effective: ${String(e)})`)
      }
    )
    expect(effective.vagrant.libvirt, "PRODUCT GAP: no way to give a temp VM vagrant.libvirt.networking: user").toMatchObject({
      networking: "user",
      isolated: true
    })
    guardOk = true
  })

  it("create with a rw and a ro mount: running on libvirt, user networking, both shares in the Vagrantfile's section", async () => {
    expect(guardOk, "not booting: the temp VM would not get user networking (see the first test)").toBe(true)
    const r = await vmOk(["create", dirs.src, `${dirs.docs}:ro`, "--name", TEMP, "--provider", "libvirt", "--json"], BOOT_MS)
    const record = parseJson<{ name: string; provider: string; mounts: ReadonlyArray<MountJson>; appliedMounts: ReadonlyArray<MountJson> }>(r)
    expect(record).toMatchObject({ name: TEMP, provider: "libvirt" })
    expect(record.mounts).toEqual([
      { source: dirs.src, target: "/workspace/src", readonly: false },
      { source: dirs.docs, target: "/workspace/docs", readonly: true }
    ])
    expect(record.appliedMounts).toEqual(record.mounts)

    const text = await vagrantfile()
    expect(text).toContain("lv.mgmt_attach = false")
    expect(text).toMatch(/restrict=on,hostfwd=tcp:127\.0\.0\.1:\d+-:22/)
    const section = foldersSection(text)
    expect(section).toContain(dirs.src)
    expect(section).toContain(dirs.docs)
    expect(section).toContain("type: '9p'")

    uuid = (await machineId()) ?? ""
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(await domState(uuid)).toBe("running")
    expect(await sb.domains()).toHaveLength(1)
    expect(await networks(), "no libvirt network may exist on this host").toEqual(networksBefore)
    expect((await execOk("hostname")).trim()).toBe(`temp-${TEMP}`)
  })

  it("the rw mount: a guest write shows on the host", async () => {
    expect(await execOk("cat /workspace/src/src.txt")).toBe("source file\n")
    await execOk("echo written in the guest > /workspace/src/from-guest.txt")
    expect(await readFile(join(dirs.src, "from-guest.txt"), "utf8")).toBe("written in the guest\n")
    expect((await stat(join(dirs.src, "from-guest.txt"))).uid).toBe(1000)
  })

  it("the ro mount: readable, a write fails in the guest and nothing reaches the host", async () => {
    expect(await execOk("cat /workspace/docs/docs.txt")).toBe("read-only docs\n")
    const r = await exec("echo nope > /workspace/docs/new.txt")
    expect(r.exitCode, formatResult(r)).not.toBe(0)
    expect(r.stderr, formatResult(r)).toContain("Read-only file system")
    expect(existsSync(join(dirs.docs, "new.txt"))).toBe(false)
    // (QEMU refuses the write: the share is exported <readonly/>; the guest's 9p mount itself says rw,
    // since vagrant-libvirt's 9p mounter reads `mount_opts`, not the rendered `mount_options: ['ro']`)
  })

  it("mount a third directory: applied by reload (same domain, rebooted), in the Vagrantfile's section, visible", async () => {
    const uptime = Number((await execOk("cut -d' ' -f1 /proc/uptime")).trim())
    const r = await vmOk(["mount", "--name", TEMP, dirs.data], BOOT_MS)
    expect(r.stdout, formatResult(r)).toContain(`${dirs.data} -> /workspace/data (rw)`)
    expect(foldersSection(await vagrantfile())).toContain(dirs.data)
    expect(await machineId()).toBe(uuid)
    expect(await sb.domains()).toHaveLength(1)
    // reload = reboot of the same domain
    expect(Number((await execOk("cut -d' ' -f1 /proc/uptime")).trim())).toBeLessThan(uptime + r.durationMs / 1000)
    expect(await execOk("cat /workspace/data/data.txt")).toBe("data file\n")
    // the earlier mounts came back with the reboot, ro still ro
    expect(await execOk("cat /workspace/src/from-guest.txt")).toBe("written in the guest\n")
    expect((await exec("touch /workspace/docs/x")).exitCode).not.toBe(0)
    const mounts = parseJson<ReadonlyArray<MountJson>>(await vm(["mounts", "--name", TEMP, "--json"]))
    expect(mounts.map((m) => m.target)).toEqual(["/workspace/src", "/workspace/docs", "/workspace/data"])
  })

  it("unmount it: gone from the guest and the section; same domain", async () => {
    await vmOk(["unmount", "--name", TEMP, dirs.data], BOOT_MS)
    expectExit(await exec("test -e /workspace/data/data.txt"), 1)
    expect(foldersSection(await vagrantfile())).not.toContain(dirs.data)
    expect(await machineId()).toBe(uuid)
    expect(await execOk("cat /workspace/src/src.txt")).toBe("source file\n")
    // the host directory itself is untouched
    expect(await readFile(join(dirs.data, "data.txt"), "utf8")).toBe("data file\n")
  })

  it("destroy: the domain, its directory and state are gone", async () => {
    await vmOk(["destroy", "--name", TEMP])
    expect((await domainNames()).filter((d) => d.startsWith(`${TEMP}_`))).toEqual([])
    expect(await domState(uuid)).toBeUndefined()
    expect(existsSync(tempDir())).toBe(false)
    expect((await vmOk(["list"])).stdout).toContain("no temp VMs")
  })
})
