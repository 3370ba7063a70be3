/**
 * Config changes applied by `vm restart` (issue 5), through the real `vm` CLI, real Vagrant and the
 * docker provider; then the ContextualLifecycle contract against the real provider (library level).
 *
 * The CLI scenario is one ordered story on one machine, as the issue lists it:
 *   0. create; a file in the synced workspace and one in /home/vagrant
 *   1. environment change (global config) + vm.yaml change reload can apply → drift shown, reload
 *   2. a new synced folder → drift shown, recreate announced first, folder visible
 *   3. restart with nothing changed → same machine
 * plus a config that cannot be applied (typed error, nothing changed).
 */
import { Effect, Layer } from "effect"
import { NodeContext } from "@effect/platform-node"
import { loadGlobalConfig, loadProjectConfig } from "@vm/core/config/load"
import { Progress } from "@vm/core/Progress"
import { ProjectContext, type ProjectContextShape } from "@vm/core/ProjectContext"
import { contextContract } from "@vm/core/testing/contextContract"
import { ToolsLive, VagrantProviderLayer } from "@vm/vagrant/layers"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox, type RunResult, type Sandbox } from "./support/sandbox.js"
import { expectExit, expectOk, hashTree, statusJson } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()

const vmYaml = (projectVar: string, folders = "") =>
  ["project:", "  name: e2e-ctx", "environment:", `  PROJECT_VAR: ${projectVar}`, "vagrant:", "  provider: docker", folders, ""].join("\n")
const userConfig = (globalVar: string) => ["environment:", `  GLOBAL_VAR: ${globalVar}`, ""].join("\n")

const USER_VAGRANTFILE = [
  "# -*- mode: ruby -*-",
  "# The user's own Vagrantfile: vm must neither change nor depend on it.",
  'Vagrant.configure("2") do |config|',
  '  config.vm.box = "user/does-not-exist"',
  '  config.vm.define "legacy" do |m|',
  '    m.vm.hostname = "legacy"',
  "  end",
  "end",
  ""
].join("\n")
const USER_FILES = ["Vagrantfile", ".vagrant"]
const DRIFT_HINT = "config changed since last start — run `vm restart` to apply"

interface Drift {
  readonly configChanged: boolean
  readonly drift: { readonly applyBy: string; readonly reasons: ReadonlyArray<string> } | null
  readonly id: string | null
}

describe.runIf(e2e.ok)("vm restart applies config changes (real Vagrant, docker provider)", () => {
  let sb: Sandbox
  let userFiles: Record<string, string>
  let vagrantfileVmtool = ""
  let idAfterCreate: string | null = null
  let idAfterRecreate: string | null = null

  const vm = async (args: ReadonlyArray<string>): Promise<RunResult> => {
    const r = await sb.runVm(args)
    expectOk(r)
    return r
  }
  const guest = async (script: string) => (await vm(["exec", "--", "sh", "-c", script])).stdout
  const status = async () => (await statusJson(sb)) as unknown as Drift & { state: string }
  const expectUserFilesUntouched = async () => expect(await hashTree(sb.project, USER_FILES)).toEqual(userFiles)

  beforeAll(async () => {
    sb = await makeSandbox({
      projectName: "e2e-ctx",
      vmYaml: vmYaml("a"),
      userConfig: userConfig("one"),
      files: {
        Vagrantfile: USER_VAGRANTFILE,
        ".vagrant/machines/legacy/virtualbox/id": "5c1d7e4a-user-owned-machine-id\n",
        ".vagrant/rgloader/loader.rb": "# user state, must survive untouched\n"
      }
    })
    await mkdir(join(sb.root, "shared-data"))
    await writeFile(join(sb.root, "shared-data", "hello.txt"), "hello from a synced folder\n")
    userFiles = await hashTree(sb.project, USER_FILES)
  })
  afterAll(async () => {
    await sb?.cleanup()
  })

  it("0. create; a file in the workspace and one in /home/vagrant; no drift", async () => {
    await vm(["create"])
    await guest("echo in-workspace > /workspace/ws-file.txt && echo in-home > /home/vagrant/home-file.txt")
    expect(await readFile(join(sb.project, "ws-file.txt"), "utf8")).toBe("in-workspace\n")
    expect(await guest("echo $GLOBAL_VAR $PROJECT_VAR")).toBe("one a\n")
    const s = await status()
    expect(s).toMatchObject({ state: "running", configChanged: false, drift: null })
    idAfterCreate = s.id
    expect(idAfterCreate).not.toBeNull()
    expect((await vm(["status"])).stdout).not.toContain("config changed")
    await expectUserFilesUntouched()
  })

  it("1. a global environment variable and a vm.yaml value change: drift shown, restart reloads", async () => {
    await writeFile(join(sb.home, ".vm", "config.yaml"), userConfig("two"))
    await writeFile(join(sb.project, "vm.yaml"), vmYaml("b"))

    const text = await vm(["status"])
    expect(text.stdout).toContain(DRIFT_HINT)
    const before = await status()
    expect(before).toMatchObject({ configChanged: true, drift: { applyBy: "reload" }, id: idAfterCreate })
    expect(before.drift?.reasons).toEqual(["environment changed (GLOBAL_VAR, PROJECT_VAR)"])
    expect(await guest("echo $GLOBAL_VAR $PROJECT_VAR"), "nothing applied before the restart").toBe("one a\n")

    const restart = await vm(["restart"])
    expect(restart.stderr, formatResult(restart)).not.toContain("recreating")
    expect(restart.stderr).toContain("applying config changes to dev: environment changed (GLOBAL_VAR, PROJECT_VAR)")

    expect(await guest("echo $GLOBAL_VAR $PROJECT_VAR")).toBe("two b\n")
    expect(await guest("cat /workspace/ws-file.txt /home/vagrant/home-file.txt")).toBe("in-workspace\nin-home\n")
    const after = await status()
    expect(after).toMatchObject({ state: "running", configChanged: false, drift: null, id: idAfterCreate })
    expect((await vm(["status"])).stdout).not.toContain("config changed")
    await expectUserFilesUntouched()
  })

  it("2. a new synced folder: drift shown, restart announces and recreates; the folder is visible", async () => {
    await writeFile(join(sb.project, "vm.yaml"), vmYaml("b", "synced_folders:\n  - { source: ../shared-data, target: /data }"))
    const before = await status()
    expect(before).toMatchObject({ configChanged: true, drift: { applyBy: "recreate", reasons: ["synced folders changed (+/data)"] } })

    const restart = await vm(["restart"])
    // progress is off when piped, so the notice is all of stderr: said before anything happened
    expect(restart.stderr.trim().split("\n"), formatResult(restart)).toEqual([
      "synced folders changed (+/data): the docker provider cannot apply this by reload; recreating dev — " +
      "the workspace and synced folders are kept, other files inside the machine are not"
    ])

    expect(await guest("cat /data/hello.txt")).toBe("hello from a synced folder\n")
    expect(await guest("cat /workspace/ws-file.txt")).toBe("in-workspace\n")
    expect(await guest("echo $GLOBAL_VAR $PROJECT_VAR")).toBe("two b\n")
    // as announced: a new container, so files outside the synced folders are gone (README: "Applying config changes")
    expectExit(await sb.runVm(["exec", "--", "test", "-e", "/home/vagrant/home-file.txt"]), 1)
    const after = await status()
    expect(after).toMatchObject({ state: "running", configChanged: false, drift: null })
    expect(after.id).not.toBe(idAfterCreate)
    idAfterRecreate = after.id
    expect((await sb.containers()).map((c) => c.state)).toEqual(["running"])
    await expectUserFilesUntouched()
  })

  it("3. restart with nothing changed keeps the machine (same id), no recreate", async () => {
    const containersBefore = (await sb.containers()).map((c) => c.id)
    vagrantfileVmtool = await readFile(join(sb.project, "Vagrantfile.vmtool"), "utf8")
    const restart = await vm(["restart"])
    expect(restart.stderr, formatResult(restart)).not.toContain("recreating")
    expect(restart.stderr).not.toContain("applying config changes")
    expect(await status()).toMatchObject({ state: "running", configChanged: false, id: idAfterRecreate })
    expect((await sb.containers()).map((c) => c.id)).toEqual(containersBefore)
    expect(await readFile(join(sb.project, "Vagrantfile.vmtool"), "utf8")).toBe(vagrantfileVmtool)
    expect(await guest("cat /data/hello.txt /workspace/ws-file.txt")).toBe("hello from a synced folder\nin-workspace\n")
    await expectUserFilesUntouched()
  })

  it("a config that cannot be applied: one error naming the key, file and machine unchanged", async () => {
    const folders = "synced_folders:\n  - { source: ../shared-data, target: /data }\n  - { source: ../gone, target: /gone }"
    await writeFile(join(sb.project, "vm.yaml"), vmYaml("c", folders))
    const r = await sb.runVm(["restart"])
    expectExit(r, 1)
    expect(r.stderr.trim(), formatResult(r)).toBe(
      `vm: invalid config ${join(sb.project, "vm.yaml")}: key 'synced_folders.1.source': host folder ${join(sb.root, "gone")} does not exist`
    )
    expect(await readFile(join(sb.project, "Vagrantfile.vmtool"), "utf8")).toBe(vagrantfileVmtool)
    expect(await status()).toMatchObject({ state: "running", id: idAfterRecreate })
    expect(await guest("echo $PROJECT_VAR")).toBe("b\n")
    await expectUserFilesUntouched()
  })
})

/** The library-level contract on the real provider: a sandbox project, the live tools, a private VAGRANT_HOME. */
if (e2e.ok) {
  const sb = await makeSandbox({ projectName: "e2e-ctx-contract", vmYaml: "project:\n  name: e2e-ctx-contract\nvagrant:\n  provider: docker\n" })
  const source = join(sb.root, "contract-shared")
  await mkdir(source)
  await writeFile(join(source, "marker"), "contract marker\n")
  const base: ProjectContextShape = await Effect.runPromise(
    Effect.gen(function*() {
      const project = yield* loadProjectConfig(join(sb.project, "vm.yaml"))
      const global = yield* loadGlobalConfig(sb.home)
      return { root: project.root, configFile: project.file, config: project.config, global: global.config, home: sb.home }
    }).pipe(Effect.provide(NodeContext.layer))
  )
  const savedVagrantHome = process.env["VAGRANT_HOME"]
  beforeAll(() => {
    // the machine index of this test, not of the user running it
    process.env["VAGRANT_HOME"] = join(sb.home, ".vagrant.d")
  })
  afterAll(async () => {
    if (savedVagrantHome === undefined) delete process.env["VAGRANT_HOME"]
    else process.env["VAGRANT_HOME"] = savedVagrantHome
    await sb.cleanup()
  })

  contextContract(
    "Vagrant provider, real Vagrant (docker)",
    VagrantProviderLayer.pipe(
      Layer.provideMerge(Layer.mergeAll(Layer.succeed(ProjectContext, base), ToolsLive, Progress.silent)),
      Layer.provideMerge(NodeContext.layer)
    ),
    {
      instance: "dev",
      base,
      folder: { source, target: "/srv/vm-contract", marker: "contract marker\n" },
      syncedFolderChange: "recreate",
      timeout: 600_000
    }
  )
}
