import { FileSystem } from "@effect/platform"
import { SystemError } from "@effect/platform/Error"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { ContextualLifecycle } from "@vm/core/ContextualLifecycle"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Progress } from "@vm/core/Progress"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../../src/testing/FakeVagrant.js"
import { VAGRANTFILE_NAME } from "../../src/VagrantRunner.js"
import { makeTempProject, providerWithFakes } from "../helpers.js"

const project = makeTempProject((ws) =>
  `project:\n  name: ctx\n  workspace_path: ${JSON.stringify(ws)}\nenvironment:\n  APP_MODE: one\nvagrant:\n  provider: docker\n`
)
afterAll(() => project.cleanup())
const vagrantfile = Path.join(project.root, VAGRANTFILE_NAME)
const readVagrantfile = () => Fs.readFileSync(vagrantfile, "utf8")
const shared = Path.join(project.dir, "shared")
Fs.mkdirSync(shared)

const fake = Effect.runSync(makeFakeVagrant)
const notices: Array<string> = []
const recording = Layer.succeed(Progress, {
  phase: <A, E, R>(_label: string, effect: Effect.Effect<A, E, R>) => effect,
  detail: () => Effect.void,
  notice: (text) => Effect.sync(() => void notices.push(text))
})

/** The real filesystem, except that Vagrantfile.vmtool cannot be replaced: full disk or read-only directory. */
const failingFs = (how: "ENOSPC" | "EACCES") =>
  Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (fs) => {
      const error = (method: string, path: string) =>
        new SystemError({
          reason: how === "ENOSPC" ? "Unknown" : "PermissionDenied",
          module: "FileSystem",
          method,
          pathOrDescriptor: path,
          description: how === "ENOSPC" ? "ENOSPC: no space left on device" : "EACCES: permission denied"
        })
      return {
        ...fs,
        writeFileString: (path: string, data: string, options?: FileSystem.WriteFileStringOptions) =>
          how === "ENOSPC" && Path.basename(path).startsWith(`.${VAGRANTFILE_NAME}.`)
            ? Effect.fail(error("writeFile", path))
            : fs.writeFileString(path, data, options),
        rename: (from: string, to: string) =>
          how === "EACCES" && to.endsWith(VAGRANTFILE_NAME) ? Effect.fail(error("rename", to)) : fs.rename(from, to)
      }
    })
  ).pipe(Layer.provide(NodeContext.layer))

const withEnv = (ctx: ProjectContextShape, env: Record<string, string>): ProjectContextShape => ({
  ...ctx,
  config: { ...ctx.config, environment: { ...ctx.config.environment, ...env } }
})
const withFolder = (ctx: ProjectContextShape): ProjectContextShape => ({
  ...ctx,
  config: { ...ctx.config, synced_folders: [{ source: shared, target: "/data" }] }
})

/** The vagrant calls made while `effect` runs. */
const callsDuring = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const before = (yield* fake.calls).length
    const result = yield* Effect.either(effect)
    const calls = (yield* fake.calls).slice(before).map((c) => c.args.join(" "))
    return { result, calls }
  })

const machineOf = (instance: string) =>
  Effect.map(Lifecycle, () => JSON.parse(Fs.readFileSync(Path.join(project.root, ".vm/state.json"), "utf8")).instances[instance].machine as string)

describe("ContextualLifecycle on the Vagrant provider (fake Vagrant)", () => {
  layer(providerWithFakes(project.ctx, fake.layer, { progress: recording }), { excludeTestServices: true })((it) => {
    it.effect("restartWithContext re-renders the file and runs exactly `vagrant reload` for an environment change", () =>
      Effect.gen(function*() {
        yield* (yield* Lifecycle).create("dev", { force: false })
        const m = yield* machineOf("dev")
        const before = readVagrantfile()
        const ctx = withEnv(project.ctx, { APP_MODE: "two" })
        notices.length = 0
        const { calls, result } = yield* callsDuring((yield* ContextualLifecycle).restartWithContext("dev", ctx))
        expect(result._tag).toBe("Right")
        expect(calls).toEqual([`reload ${m}`])
        expect(readVagrantfile()).not.toBe(before)
        expect(readVagrantfile()).toContain("APP_MODE=")
        expect(notices).toEqual(["applying config changes to dev: environment changed (APP_MODE)"])
      }))

    it.effect("drift is per machine: creating another instance does not make dev drift", () =>
      Effect.gen(function*() {
        const ctx = withEnv(project.ctx, { APP_MODE: "two" })
        yield* (yield* Lifecycle).create("second", { force: false })
        const drift = yield* (yield* ContextualLifecycle).drift("dev", ctx)
        expect(drift).toEqual({ configChanged: false, action: "none", reasons: [] })
        yield* (yield* Lifecycle).destroy("second")
      }))

    it.effect("a new synced folder on docker: notice first, then docker rm + up (no reload)", () =>
      Effect.gen(function*() {
        const m = yield* machineOf("dev")
        notices.length = 0
        const ctx = withFolder(withEnv(project.ctx, { APP_MODE: "two" }))
        const { calls, result } = yield* callsDuring((yield* ContextualLifecycle).restartWithContext("dev", ctx))
        expect(result).toMatchObject({ _tag: "Right", right: { performed: "recreate", reasons: ["synced folders changed (+/data)"] } })
        // the container goes with `docker rm -f -v` (what Vagrant's destroy runs), one Ruby start-up cheaper
        expect(calls).toEqual([`up ${m} --provider=docker`])
        expect((yield* fake.hypervisorCalls).some((c) => c[0] === "docker" && c[1] === "rm" && c.includes("-v"))).toBe(true)
        expect(notices).toEqual([
          "synced folders changed (+/data): the docker provider cannot apply this by reload; recreating dev — " +
          "the workspace and synced folders are kept, other files inside the machine are not"
        ])
        expect(readVagrantfile()).toContain(`config.vm.synced_folder '${shared}', '/data'`)
      }))

    /** What dev runs with after the provision test. */
    const provisioned = (env: Record<string, string>) => {
      const base = withFolder(withEnv(project.ctx, env))
      return { ...base, config: { ...base.config, provision: "echo hi" } }
    }

    it.effect("a changed provision script reloads with --provision", () =>
      Effect.gen(function*() {
        const m = yield* machineOf("dev")
        const ctx = provisioned({ APP_MODE: "two" })
        const { calls } = yield* callsDuring((yield* ContextualLifecycle).restartWithContext("dev", ctx))
        expect(calls).toEqual([`reload ${m} --provision`])
      }))

    it.effect("start on a stopped machine boots it with the new file: up (env change) or recreate (folder change)", () =>
      Effect.gen(function*() {
        const m = yield* machineOf("dev")
        const contextual = yield* ContextualLifecycle
        yield* (yield* Lifecycle).stop("dev")
        const envOnly = provisioned({ APP_MODE: "three" })
        const up = yield* callsDuring(contextual.startWithContext("dev", envOnly))
        expect(up.result).toMatchObject({ _tag: "Right", right: { performed: "up" } })
        // the machine's state comes from `docker inspect` (the cheap path), not from `vagrant status`
        expect(up.calls).toEqual([`up ${m} --provider=docker`])
        const exec = yield* (yield* Lifecycle).exec("dev", ["sh", "-c", "echo $APP_MODE"], { output: "capture" })
        expect(exec.stdout).toBe("three\n")

        yield* (yield* Lifecycle).stop("dev")
        notices.length = 0
        const moved = { ...envOnly, config: { ...envOnly.config, synced_folders: [{ source: shared, target: "/data2" }] } }
        const recreated = yield* callsDuring(contextual.startWithContext("dev", moved))
        expect(recreated.result).toMatchObject({ _tag: "Right", right: { performed: "recreate" } })
        expect(recreated.calls).toEqual([`up ${m} --provider=docker`])
        expect(notices[0]).toContain("synced folders changed (+/data2, -/data)")
      }))

    it.effect("a config that cannot be rendered: typed error naming the key, previous file kept, Vagrant not called", () =>
      Effect.gen(function*() {
        const before = readVagrantfile()
        const bad = withEnv(project.ctx, { NOTE: "x\n# END SYNCED FOLDERS\ny" })
        const { calls, result } = yield* callsDuring((yield* ContextualLifecycle).restartWithContext("dev", bad))
        expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ConfigInvalid", key: "environment.NOTE" } })
        expect(calls).toEqual([])
        expect(readVagrantfile()).toBe(before)
      }))

    it.effect("a synced folder whose source is missing: typed error, previous file kept, nothing destroyed", () =>
      Effect.gen(function*() {
        const before = readVagrantfile()
        const bad = { ...project.ctx, config: { ...project.ctx.config, synced_folders: [{ source: "no-such-dir", target: "/x" }] } }
        const { calls, result } = yield* callsDuring((yield* ContextualLifecycle).restartWithContext("dev", bad))
        expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ConfigInvalid", key: "synced_folders.0.source" } })
        expect(calls).toEqual([])
        expect(readVagrantfile()).toBe(before)
      }))

    it.effect("createWithContext with a missing synced folder source: typed error, no instance recorded, Vagrant not called", () =>
      Effect.gen(function*() {
        const bad = { ...project.ctx, config: { ...project.ctx.config, synced_folders: [{ source: "no-such-dir", target: "/x" }] } }
        const { calls, result } = yield* callsDuring((yield* ContextualLifecycle).createWithContext("other", { force: false }, bad))
        expect(result).toMatchObject({ _tag: "Left", left: { _tag: "ConfigInvalid", key: "synced_folders.0.source" } })
        expect(calls).toEqual([])
        const state = JSON.parse(Fs.readFileSync(Path.join(project.root, ".vm/state.json"), "utf8"))
        expect(Object.keys(state.instances)).toEqual(["dev"])
      }))
  })

  for (const how of ["ENOSPC", "EACCES"] as const) {
    layer(providerWithFakes(project.ctx, fake.layer, { fileSystem: failingFs(how) }), { excludeTestServices: true })((it) => {
      it.effect(`a failed write of Vagrantfile.vmtool (${how}) keeps the previous file, names it, and runs nothing`, () =>
        Effect.gen(function*() {
          const before = readVagrantfile()
          const ctx = withEnv(project.ctx, { APP_MODE: `after-${how}` })
          const { calls, result } = yield* callsDuring((yield* ContextualLifecycle).restartWithContext("dev", ctx))
          expect(result._tag).toBe("Left")
          if (result._tag === "Left") {
            expect(result.left._tag).toBe("StateFileError")
            expect(result.left.message).toContain(vagrantfile)
            expect(result.left.message).toContain(how === "ENOSPC" ? "no space left" : "permission denied")
          }
          expect(calls).toEqual([])
          expect(readVagrantfile()).toBe(before)
          expect(Fs.readdirSync(project.root).filter((f) => f.includes(".tmp"))).toEqual([])
        }))
    })
  }

  layer(providerWithFakes(project.ctx, fake.layer), { excludeTestServices: true })((it) => {
    it.effect("cleanup: destroy dev", () => Effect.flatMap(Lifecycle, (l) => l.destroy("dev")))
  })
})
