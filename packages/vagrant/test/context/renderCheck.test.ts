import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { Effect, Either } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { checkHostFolders, checkRenderable, renderChecked } from "../../src/context/renderCheck.js"
import { FAKE_HOST_USER } from "../../src/hypervisors/HostTools.js"
import { emptyProjectState } from "../../src/ProjectState.js"
import { renderVagrantfile } from "../../src/render/Vagrantfile.js"
import { globalConfig, linesOf, project, renderInput } from "../render/fixtures.js"

const ctx = (over: Partial<ProjectContextShape> = {}): ProjectContextShape => ({
  root: "/home/u/demo",
  configFile: "/home/u/demo/vm.yaml",
  config: project(),
  global: globalConfig(),
  home: "/home/u",
  globalConfigFile: "/home/u/.vm/config.yaml",
  ...over
})

const failure = (result: Either.Either<void, { readonly message: string; readonly key: string; readonly file: string }>) => {
  if (Either.isRight(result)) throw new Error("expected a failure")
  return result.left
}

describe("checkRenderable", () => {
  it("accepts an ordinary config", () => {
    expect(Either.isRight(checkRenderable(ctx(), "docker"))).toBe(true)
  })

  it("a value that would fake the synced-folder marker line names its key in vm.yaml", () => {
    const e = failure(checkRenderable(ctx({ config: project({ environment: { NOTE: "a\n# END SYNCED FOLDERS\nb" } }) }), "docker"))
    expect(e).toMatchObject({ _tag: "ConfigInvalid", file: "/home/u/demo/vm.yaml", key: "environment.NOTE" })
    expect(e.message).toContain("# END SYNCED FOLDERS")
  })

  it("a lone surrogate in the global config names its key and the global file", () => {
    const e = failure(checkRenderable(ctx({ global: globalConfig({ synced_folders: [{ source: "x\uD800", target: "/x" }] }) }), "virtualbox"))
    expect(e).toMatchObject({ file: "/home/u/.vm/config.yaml", key: "synced_folders.0.source" })
    expect(e.message).toContain("lone surrogate")
  })

  it("a NUL byte in the provision script names the key", () => {
    const e = failure(checkRenderable(ctx({ config: project({ provision: "echo a\0b" }) }), "docker"))
    expect(e).toMatchObject({ key: "provision" })
  })

  it("a user the local image lacks is refused, naming vm.user or defaults.user", () => {
    expect(failure(checkRenderable(ctx({ config: project({ vm: { user: "dev" } }) }), "docker"))).toMatchObject({
      file: "/home/u/demo/vm.yaml",
      key: "vm.user"
    })
    const e = failure(checkRenderable(ctx({ global: globalConfig({ defaults: { user: "developer" } }) }), "docker"))
    expect(e).toMatchObject({ file: "/home/u/.vm/config.yaml", key: "defaults.user" })
    expect(e.message).toContain("only 'vagrant'")
  })

  it("any user is allowed with another image, another provider, or when it is vagrant", () => {
    const dev = { vm: { user: "dev" } }
    expect(Either.isRight(checkRenderable(ctx({ config: project({ ...dev, vagrant: { docker: { image: "my/img" } } }) }), "docker"))).toBe(true)
    expect(Either.isRight(checkRenderable(ctx({ config: project(dev) }), "virtualbox"))).toBe(true)
    expect(Either.isRight(checkRenderable(ctx({ config: project({ vm: { user: "vagrant" } }) }), "docker"))).toBe(true)
  })

  it("without globalConfigFile the error names ~/.vm/config.yaml", () => {
    const { globalConfigFile: _, ...rest } = ctx({ global: globalConfig({ defaults: { user: "x" } }) })
    expect(failure(checkRenderable(rest, "docker")).file).toBe("/home/u/.vm/config.yaml")
  })
})

describe("renderChecked", () => {
  it.effect("renders exactly what the renderer renders", () =>
    Effect.gen(function*() {
      const state = { version: 1 as const, instances: { dev: { machine: "dev-vm", sshPort: 22901, provider: "docker", createdAt: "x" } } }
      const machines = [{ instance: "dev", machine: "dev-vm", sshPort: 22901, hostname: "demo-dev" }]
      const text = yield* renderChecked(ctx({ root: "/home/u/demo" }), "docker", state, FAKE_HOST_USER)
      expect(text).toBe(renderVagrantfile(renderInput("docker", { machines })))
      // the host user reaches the rendering
      const asRoot = yield* renderChecked(ctx({ root: "/home/u/demo" }), "docker", state, { uid: 0, gid: 0 })
      expect(asRoot).toBe(renderVagrantfile(renderInput("docker", { machines, hostUser: { uid: 0, gid: 0 } })))
      expect(asRoot).not.toBe(text)
    }))

  it.effect("fails with the typed error instead of throwing", () =>
    Effect.gen(function*() {
      const bad = ctx({ config: project({ environment: { X: "\n# BEGIN SYNCED FOLDERS" } }) })
      const e = yield* Effect.flip(renderChecked(bad, "docker", emptyProjectState(), FAKE_HOST_USER))
      expect(e).toMatchObject({ _tag: "ConfigInvalid", key: "environment.X" })
    }))
})

describe("vm.user / defaults.user in the Vagrantfile", () => {
  it("becomes config.ssh.username of every machine; unset leaves Vagrant's default", () => {
    expect(linesOf(renderVagrantfile(renderInput("virtualbox", { config: project({ vm: { user: "dev" } }) })))).toContain("m.ssh.username = 'dev'")
    expect(linesOf(renderVagrantfile(renderInput("virtualbox", { global: globalConfig({ defaults: { user: "ops" } }) })))).toContain("m.ssh.username = 'ops'")
    expect(renderVagrantfile(renderInput("docker"))).not.toContain("ssh.username")
  })
})

describe("checkHostFolders", () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-hostfolders-"))
  Fs.mkdirSync(Path.join(dir, "project", "data"), { recursive: true })
  Fs.mkdirSync(Path.join(dir, "home", "shared"), { recursive: true })
  const base = ctx({ root: Path.join(dir, "project"), configFile: Path.join(dir, "project", "vm.yaml"), home: Path.join(dir, "home") })

  it.effect("existing sources pass (relative to the project, ~ is the home)", () =>
    checkHostFolders({
      ...base,
      config: project({ synced_folders: [{ source: "data", target: "/data" }] }),
      global: globalConfig({ synced_folders: [{ source: "~/shared", target: "/shared" }] })
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a missing source names the key, the file and the absolute path", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(checkHostFolders({
        ...base,
        global: globalConfig({ synced_folders: [{ source: "~/shared", target: "/shared" }, { source: "~/gone", target: "/gone" }] })
      }))
      expect(e).toMatchObject({ file: "/home/u/.vm/config.yaml", key: "synced_folders.1.source" })
      expect(e.message).toContain(Path.join(dir, "home", "gone"))
    }).pipe(Effect.provide(NodeContext.layer)))
})
