/**
 * `vm temp` through the real `vm` CLI, real Vagrant and the docker provider; then the TempVms
 * contract in-process against the same real tools.
 *
 * Temp VMs live under the sandbox's HOME (~/.vm/temp/<name>/), so sandbox.cleanup() removes their
 * containers (label dev.vm.root = that directory, under the sandbox root). Host directories belong
 * to the user running the tests, as made (the guest user gets that user's uid/gid).
 */
import { NodeContext } from "@effect/platform-node"
import { GlobalConfig } from "@vm/core/config/schema"
import { Progress } from "@vm/core/Progress"
import { tempContract } from "@vm/core/testing/tempContract"
import { ToolsLive } from "@vm/vagrant/layers"
import { TempVmsLive } from "@vm/vagrant/temp/TempVmsLive"
import { Layer, Schema } from "effect"
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { containersByRoot, formatResult, makeSandbox, type RunResult, type Sandbox, sh, VM_BIN } from "./support/sandbox.js"
import { expectExit, expectOk, parseJson } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()

const USER_CONFIG = "defaults:\n  provider: docker\n"
const QUOTED = `it's a "dir" with spaces`

interface MountJson {
  readonly source: string
  readonly target: string
  readonly readonly: boolean
}
interface TempListEntry {
  readonly name: string
  readonly provider: string
  readonly state: string
  readonly mounts: ReadonlyArray<MountJson>
  readonly pendingMounts: boolean
  readonly dir: string
}

/** A host directory holding one file. */
const hostDir = (parent: string, name: string, file: string, content: string) => {
  const dir = join(parent, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, file), content)
  return dir
}

describe.runIf(e2e.ok)("vm temp (real vagrant, docker provider)", () => {
  let sb: Sandbox
  let dirs: { src: string; tests: string; quoted: string; extra: ReadonlyArray<string> }
  const tempDirOf = (name: string) => join(sb.home, ".vm", "temp", name)
  const vm = (args: ReadonlyArray<string>) => sb.runVm(["temp", ...args], { cwd: sb.root })
  const vmOk = async (args: ReadonlyArray<string>): Promise<RunResult> => {
    const r = await vm(args)
    expectOk(r)
    return r
  }
  const list = async () => parseJson<ReadonlyArray<TempListEntry>>(await vm(["list", "--json"]))
  const mountsOf = async (name: string) => parseJson<ReadonlyArray<MountJson>>(await vm(["mounts", "--name", name, "--json"]))
  const containersOf = (name: string) => containersByRoot({ exact: [tempDirOf(name)] })

  beforeAll(async () => {
    sb = await makeSandbox({ projectName: "work", userConfig: USER_CONFIG })
    const host = join(sb.root, "host")
    dirs = {
      src: hostDir(host, "src", "main.txt", "source file\n"),
      tests: hostDir(host, "tests", "t.txt", "test file\n"),
      quoted: hostDir(host, QUOTED, "q.txt", "quoted content\n"),
      extra: ["one", "two", "three"].map((n) => hostDir(host, `extra-${n}`, `${n}.txt`, `${n}\n`))
    }
  })
  afterAll(async () => {
    if (sb === undefined) return
    await vm(["destroy", "--all"]).catch(() => undefined)
    await sb.cleanup()
  })

  it("create with two mounts, one read-only: running, one container under ~/.vm/temp/<name>", async () => {
    const r = await vmOk(["create", dirs.src, `${dirs.tests}:ro`, "--name", "e2e-one"])
    expect(r.stdout, formatResult(r)).toContain("e2e-one: running [docker]")
    expect(await mountsOf("e2e-one")).toEqual([
      { source: dirs.src, target: "/workspace/src", readonly: false },
      { source: dirs.tests, target: "/workspace/tests", readonly: true }
    ])
    expect((await containersOf("e2e-one")).map((c) => c.state)).toEqual(["running"])
    const state = JSON.parse(readFileSync(join(tempDirOf("e2e-one"), "state.json"), "utf8"))
    expect(state).toMatchObject({ name: "e2e-one", provider: "docker", projectDir: sb.root, autoDestroy: false })
    expect(readFileSync(join(tempDirOf("e2e-one"), "Vagrantfile.vmtool"), "utf8")).toContain("# BEGIN SYNCED FOLDERS")
  })

  it("the rw mount is writable from the guest and the write shows on the host", async () => {
    const cat = await vmOk(["exec", "--name", "e2e-one", "--", "cat", "/workspace/src/main.txt"])
    expect(cat.stdout).toBe("source file\n")
    await vmOk(["exec", "--name", "e2e-one", "--", "sh", "-c", "echo written in the guest > /workspace/src/from-guest.txt"])
    expect(readFileSync(join(dirs.src, "from-guest.txt"), "utf8")).toBe("written in the guest\n")
  })

  it("the ro mount is readable, and writing to it fails in the guest", async () => {
    expect((await vmOk(["exec", "--name", "e2e-one", "--", "cat", "/workspace/tests/t.txt"])).stdout).toBe("test file\n")
    const r = await vm(["exec", "--name", "e2e-one", "--", "sh", "-c", "echo nope > /workspace/tests/new.txt"])
    expect(r.exitCode, formatResult(r)).not.toBe(0)
    expect(r.stderr, formatResult(r)).toContain("Read-only file system")
    expect(existsSync(join(dirs.tests, "new.txt"))).toBe(false)
  })

  it("status --json is the vm status report plus the mounts", async () => {
    const s = parseJson<Record<string, unknown>>(await vm(["status", "--json"]))
    expect(s).toMatchObject({ name: "e2e-one", provider: "docker", state: "running", isRunning: true })
    expect((s["temp"] as { mounts: ReadonlyArray<MountJson> }).mounts).toHaveLength(2)
  })

  it("mount a directory whose name has spaces and quotes: visible with its content", async () => {
    const r = await vmOk(["mount", "--name", "e2e-one", join("host", QUOTED)])
    expect(r.stdout).toContain(`${dirs.quoted} -> /workspace/${QUOTED} (rw)`)
    const cat = await vmOk(["exec", "--name", "e2e-one", "--", "cat", `/workspace/${QUOTED}/q.txt`])
    expect(cat.stdout).toBe("quoted content\n")
    // the earlier mounts survived the recreate
    expect((await vmOk(["exec", "--name", "e2e-one", "--", "cat", "/workspace/src/from-guest.txt"])).stdout).toBe(
      "written in the guest\n"
    )
  })

  it("unmount it: its content is gone from the guest, the other mounts stay", async () => {
    await vmOk(["unmount", "--name", "e2e-one", dirs.quoted])
    const r = await vm(["exec", "--name", "e2e-one", "--", "test", "-e", `/workspace/${QUOTED}/q.txt`])
    expectExit(r, 1)
    expect((await mountsOf("e2e-one")).map((m) => m.source)).toEqual([dirs.src, dirs.tests])
    expect((await vmOk(["exec", "--name", "e2e-one", "--", "cat", "/workspace/tests/t.txt"])).stdout).toBe("test file\n")
  })

  it("invalid mounts: one clear error each, exit 1, state untouched", async () => {
    const stateFile = join(tempDirOf("e2e-one"), "state.json")
    const before = readFileSync(stateFile, "utf8")
    for (
      const [spec, message] of [
        ["/etc", "vm: mount '/etc': /etc is a system directory"],
        [join(sb.root, "missing"), `vm: mount '${join(sb.root, "missing")}': ${join(sb.root, "missing")} does not exist`],
        [dirs.src, `is already mounted at /workspace/src`],
        [`${dirs.quoted}:relative/target`, "does not exist"],
        [`${dirs.quoted}:/etc/x`, "inside /etc"]
      ] as const
    ) {
      const r = await vm(["mount", "--name", "e2e-one", spec])
      expectExit(r, 1)
      expect(r.stderr, formatResult(r)).toContain(message)
      expect(r.stderr.trim().split("\n"), formatResult(r)).toHaveLength(1)
    }
    expect(readFileSync(stateFile, "utf8")).toBe(before)
  })

  it("3 concurrent `vm temp mount` processes: every mount is recorded and applied", async () => {
    const results = await Promise.all(dirs.extra.map((dir) => vm(["mount", "--name", "e2e-one", dir])))
    for (const r of results) expectOk(r)
    const entry = (await list()).find((e) => e.name === "e2e-one")
    expect(entry?.mounts.map((m) => m.source)).toEqual(expect.arrayContaining([...dirs.extra]))
    expect(entry?.mounts).toHaveLength(5)
    expect(entry?.pendingMounts).toBe(false)
    const ls = await vmOk(["exec", "--name", "e2e-one", "--", "sh", "-c", "cat /workspace/extra-*/*.txt"])
    expect(ls.stdout.split("\n").filter(Boolean).sort()).toEqual(["one", "three", "two"])
  })

  it("two temp VMs at once: list shows both; commands then need --name", async () => {
    await vmOk(["create", "--name", "e2e-two", "--fresh"])
    const entries = await list()
    expect(entries.map((e) => [e.name, e.state, e.provider])).toEqual([
      ["e2e-one", "running", "docker"],
      ["e2e-two", "running", "docker"]
    ])
    const r = await vm(["exec", "--", "true"])
    expectExit(r, 1)
    expect(r.stderr).toContain("several temp VMs exist (e2e-one, e2e-two); pick one with --name")
  })

  it("warm reuse with --yes: the newest healthy VM gets the requested mounts instead of a new VM", async () => {
    const r = await vmOk(["create", "--yes", "--json", `${dirs.quoted}:ro`])
    const record = JSON.parse(r.stdout) as { name: string; reused: boolean; mounts: ReadonlyArray<MountJson> }
    expect(record).toMatchObject({ name: "e2e-two", reused: true })
    expect(record.mounts).toEqual([{ source: dirs.quoted, target: `/workspace/${QUOTED}`, readonly: true }])
    expect((await list()).map((e) => e.name)).toEqual(["e2e-one", "e2e-two"])
    expect((await vmOk(["exec", "--name", "e2e-two", "--", "cat", `/workspace/${QUOTED}/q.txt`])).stdout).toBe("quoted content\n")
  })

  it("stop and start keep the mounts", async () => {
    expect((await vmOk(["stop", "--name", "e2e-two"])).stdout).toContain("e2e-two: stopped")
    expect((await list()).find((e) => e.name === "e2e-two")?.state).toBe("stopped")
    expect((await vmOk(["start", "--name", "e2e-two"])).stdout).toContain("e2e-two: running")
    expect((await vmOk(["exec", "--name", "e2e-two", "--", "cat", `/workspace/${QUOTED}/q.txt`])).stdout).toBe("quoted content\n")
  })

  it("destroy removes the VM (container), its directory and its state; the other VM stays", async () => {
    await vmOk(["destroy", "--name", "e2e-two"])
    expect(await containersOf("e2e-two")).toEqual([])
    expect(existsSync(tempDirOf("e2e-two"))).toBe(false)
    expect((await list()).map((e) => e.name)).toEqual(["e2e-one"])
    await vmOk(["destroy"])
    expect(await containersOf("e2e-one")).toEqual([])
    expect(existsSync(tempDirOf("e2e-one"))).toBe(false)
    expect((await vmOk(["list"])).stdout).toContain("no temp VMs")
  })

  it("--auto-destroy: when the shell exits, the VM is destroyed", async () => {
    // stdin is not a terminal and closed: the login shell exits at once
    const r = await vmOk(["create", "--auto-destroy", "--name", "e2e-auto", dirs.src])
    expect(r.stdout).toContain("e2e-auto: running [docker]")
    expect(r.stderr).toContain("e2e-auto: destroyed")
    expect(await containersOf("e2e-auto")).toEqual([])
    expect(existsSync(tempDirOf("e2e-auto"))).toBe(false)
  })

  it("--auto-destroy: Ctrl-C (SIGINT) during the shell destroys the VM too", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: sb.home, VM_NO_PROGRESS: "1" }
    for (const k of ["VAGRANT_CWD", "VAGRANT_VAGRANTFILE", "VAGRANT_DOTFILE_PATH", "VAGRANT_HOME", "VAGRANT_DEFAULT_PROVIDER"]) {
      delete env[k]
    }
    const child = spawn(process.execPath, [VM_BIN, "temp", "create", "--auto-destroy", "--name", "e2e-int", dirs.src], {
      cwd: sb.root,
      env,
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()))
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    // stdin stays open: the guest shell waits for input until we interrupt
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'running' line within 5 min\n${stdout}\n${stderr}`)), 300_000)
      child.stdout.on("data", (b: Buffer) => {
        stdout += b.toString()
        if (stdout.includes("e2e-int: running")) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    await new Promise((resolve) => setTimeout(resolve, 2000))
    expect((await containersOf("e2e-int")).map((c) => c.state)).toEqual(["running"])
    child.kill("SIGINT")
    const code = await exited
    expect(code, `${stdout}\n${stderr}`).toBe(130)
    expect(stderr).toContain("e2e-int: destroyed")
    expect(await containersOf("e2e-int")).toEqual([])
    expect(existsSync(tempDirOf("e2e-int"))).toBe(false)
  })
})

/** The TempVms contract in-process against real Vagrant, with a private HOME and VAGRANT_HOME. */
describe.runIf(e2e.ok)("TempVms contract against real Vagrant", () => {
  // paths fixed now (the contract takes them), created only when the suite runs
  const base = join(realpathSync(tmpdir()), `vm-e2e-contract-${process.pid}-${Date.now()}`)
  const home = join(base, "home")
  const names = ["a", "b", QUOTED]
  const dirs = names.map((n) => join(base, n)) as [string, string, string]
  const global = Schema.decodeUnknownSync(GlobalConfig)({ defaults: { provider: "docker" } })
  const previousVagrantHome = process.env["VAGRANT_HOME"]
  beforeAll(() => {
    mkdirSync(home, { recursive: true })
    for (const n of names) hostDir(base, n, "f.txt", `${n}\n`)
    // a private machine index, as the CLI tests get through their HOME
    process.env["VAGRANT_HOME"] = join(home, ".vagrant.d")
  })
  afterAll(async () => {
    if (previousVagrantHome === undefined) delete process.env["VAGRANT_HOME"]
    else process.env["VAGRANT_HOME"] = previousVagrantHome
    const left = await containersByRoot({ prefix: [base] })
    if (left.length > 0) await sh("docker", ["rm", "-f", "-v", ...left.map((c) => c.id)], { timeoutMs: 120_000 })
    rmSync(base, { recursive: true, force: true })
  })

  tempContract(
    "Vagrant temp VMs, real Vagrant + docker provider",
    TempVmsLive({ home, global }).pipe(
      Layer.provideMerge(Layer.mergeAll(ToolsLive, Progress.silent)),
      Layer.provideMerge(NodeContext.layer)
    ),
    { names: ["contract-a", "contract-b"], dirs, timeout: 600_000 }
  )
})
