import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type { SyncedFolder } from "../config/schema.js"
import { ContextualLifecycle } from "../ContextualLifecycle.js"
import { Lifecycle } from "../Lifecycle.js"
import type { ProjectContextShape } from "../ProjectContext.js"

export interface ContextContractOptions {
  /** Instance the suite creates and destroys. */
  readonly instance: string
  /** The project as the machine is created (the suite adds its own environment variables). */
  readonly base: ProjectContextShape
  /** A host folder holding a file `marker`, and a guest path (not existing yet) to sync it to. */
  readonly folder: { readonly source: string; readonly target: string; readonly marker: string }
  /** How this provider applies a new synced folder. */
  readonly syncedFolderChange: "reload" | "recreate"
  /** Per-test timeout (real providers need seconds per step). */
  readonly timeout?: number
}

const VAR = "VM_CONTRACT_VAR"
const GLOBAL_VAR = "VM_CONTRACT_GLOBAL"

const withEnv = (ctx: ProjectContextShape, project: string, global?: string): ProjectContextShape => ({
  ...ctx,
  config: { ...ctx.config, environment: { ...ctx.config.environment, [VAR]: project } },
  global: global === undefined
    ? ctx.global
    : { ...ctx.global, environment: { ...ctx.global.environment, [GLOBAL_VAR]: global } }
})

const withFolders = (ctx: ProjectContextShape, folders: ReadonlyArray<SyncedFolder>): ProjectContextShape => ({
  ...ctx,
  config: { ...ctx.config, synced_folders: [...ctx.config.synced_folders, ...folders] }
})

/**
 * How a provider applies a changed project context: drift is reported without touching the
 * machine, restart applies it (in place when possible), start never pretends to apply it to a
 * running machine, an unchanged restart keeps the machine, a bad context changes nothing.
 * One ordered scenario on one machine; run it on fakes (unit) and on the real provider (e2e).
 */
export const contextContract = <E>(
  name: string,
  provider: Layer.Layer<Lifecycle | ContextualLifecycle, E>,
  options: ContextContractOptions
) => {
  const { folder, instance } = options
  const timeout = options.timeout ?? 30_000
  const first = withEnv(options.base, "first")
  const second = withEnv(options.base, "second", "global")
  const withFolder = withFolders(second, [{ source: folder.source, target: folder.target }])
  const missingSource = `${folder.source}-does-not-exist`
  const broken = withFolders(withFolder, [{ source: missingSource, target: `${folder.target}-missing` }])

  const echoVars = Effect.flatMap(Lifecycle, (l) =>
    l.exec(instance, ["sh", "-c", `echo "$${VAR} $${GLOBAL_VAR}"`], { output: "capture" }))
  const machineId = Effect.flatMap(Lifecycle, (l) => l.state(instance)).pipe(Effect.map((m) => m.id))

  describe(`Context contract: ${name}`, () => {
    layer(provider, { timeout, excludeTestServices: true })((it) => {
      it.effect("createWithContext boots the machine with the context's environment; no drift", () =>
        Effect.gen(function*() {
          const contextual = yield* ContextualLifecycle
          const created = yield* contextual.createWithContext(instance, { force: false }, first)
          expect(created).toMatchObject({ name: instance, state: "running" })
          expect((yield* echoVars).stdout).toBe("first \n")
          expect(yield* contextual.drift(instance, first)).toEqual({ configChanged: false, action: "none", reasons: [] })
        }), timeout)

      it.effect("drift names the changed variables and applies nothing", () =>
        Effect.gen(function*() {
          const drift = yield* (yield* ContextualLifecycle).drift(instance, second)
          expect(drift.configChanged).toBe(true)
          expect(drift.action).toBe("reload")
          expect(drift.reasons.join("\n")).toContain(GLOBAL_VAR)
          expect(drift.reasons.join("\n")).toContain(VAR)
          expect(drift.reasons.join("\n")).not.toContain("second")
          expect((yield* echoVars).stdout).toBe("first \n")
        }), timeout)

      it.effect("startWithContext leaves a running machine alone and reports the drift", () =>
        Effect.gen(function*() {
          const before = yield* machineId
          const applied = yield* (yield* ContextualLifecycle).startWithContext(instance, second)
          expect(applied.performed).toBe("none")
          expect(applied.reasons.join("\n")).toContain(VAR)
          expect(applied.machine.id).toBe(before)
          expect((yield* echoVars).stdout).toBe("first \n")
        }), timeout)

      it.effect("restartWithContext applies an environment change in place", () =>
        Effect.gen(function*() {
          const contextual = yield* ContextualLifecycle
          const before = yield* machineId
          const applied = yield* contextual.restartWithContext(instance, second)
          expect(applied.performed).toBe("reload")
          expect(applied.machine).toMatchObject({ state: "running", id: before })
          expect((yield* echoVars).stdout).toBe("second global\n")
          expect((yield* contextual.drift(instance, second)).configChanged).toBe(false)
        }), timeout)

      it.effect("restartWithContext with nothing changed keeps the machine", () =>
        Effect.gen(function*() {
          const before = yield* machineId
          const applied = yield* (yield* ContextualLifecycle).restartWithContext(instance, second)
          expect(applied.performed).toBe("reload")
          expect(applied.reasons).toEqual([])
          expect(applied.machine).toMatchObject({ state: "running", id: before })
        }), timeout)

      it.effect(`restartWithContext applies a new synced folder (${options.syncedFolderChange})`, () =>
        Effect.gen(function*() {
          const contextual = yield* ContextualLifecycle
          const lifecycle = yield* Lifecycle
          const before = yield* machineId
          const drift = yield* contextual.drift(instance, withFolder)
          expect(drift.action).toBe(options.syncedFolderChange)
          expect(drift.reasons.join("\n")).toContain(`+${folder.target}`)
          const applied = yield* contextual.restartWithContext(instance, withFolder)
          expect(applied.performed).toBe(options.syncedFolderChange)
          expect(applied.machine.state).toBe("running")
          if (options.syncedFolderChange === "reload") expect(applied.machine.id).toBe(before)
          else expect(applied.machine.id).not.toBe(before)
          const cat = yield* lifecycle.exec(instance, ["cat", `${folder.target}/marker`], { output: "capture" })
          expect(cat).toMatchObject({ exitCode: 0, stdout: folder.marker })
          expect((yield* echoVars).stdout).toBe("second global\n")
          expect((yield* contextual.drift(instance, withFolder)).configChanged).toBe(false)
        }), timeout)

      it.effect("a context that cannot be applied is a typed error naming the key; the machine is untouched", () =>
        Effect.gen(function*() {
          const contextual = yield* ContextualLifecycle
          const before = yield* machineId
          const error = yield* Effect.flip(contextual.restartWithContext(instance, broken))
          expect(error._tag).toBe("ConfigInvalid")
          expect(error.message).toContain(`synced_folders.${broken.config.synced_folders.length - 1}.source`)
          expect(error.message).toContain(missingSource)
          const after = yield* (yield* Lifecycle).state(instance)
          expect(after).toMatchObject({ state: "running", id: before })
        }), timeout)

      it.effect("destroy removes the machine", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          yield* lifecycle.destroy(instance)
          const listed = (yield* lifecycle.list).find((m) => m.name === instance)
          expect(listed === undefined || listed.state === "missing").toBe(true)
        }), timeout)
    })
  })
}
