import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { ConfigInvalid, type ProjectContextShape, type VagrantProviderName, VmNotFound } from "@vm/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { HostUser } from "../hypervisors/HostTools.js"
import type { ProjectState } from "../ProjectState.js"
import { moduleOf } from "../providers/registry.js"
import { expandHome, projectRenderInput } from "../render/projectInput.js"
import { renderVagrantfile, SYNCED_BEGIN, SYNCED_END } from "../render/Vagrantfile.js"
import { VAGRANTFILE_NAME } from "../VagrantRunner.js"
import { machinePlan, type MachinePlan } from "./plan.js"

/** The file `ctx.global` came from, for error messages. */
export const globalConfigFile = (ctx: ProjectContextShape) => ctx.globalConfigFile ?? `${ctx.home}/.vm/config.yaml`

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a config string cannot go into the Vagrantfile, if it cannot. */
const unrenderable = (s: string): string | undefined => {
  if (s.includes("\0")) return "contains a NUL byte"
  if (LONE_SURROGATE.test(s)) return "is not valid Unicode (lone surrogate)"
  const marker = s.split(/\r?\n/).find((line) => line === SYNCED_BEGIN || line === SYNCED_END)
  return marker === undefined ? undefined : `contains the line '${marker}', which vm reserves in Vagrantfile.vmtool`
}

/** The first string under `value` that cannot be rendered, with its key path (`environment.FOO`, `synced_folders.0.source`). */
const findUnrenderable = (value: unknown, path: ReadonlyArray<string | number>): { key: string; reason: string } | undefined => {
  if (typeof value === "string") {
    const reason = unrenderable(value)
    return reason === undefined ? undefined : { key: path.join("."), reason }
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnrenderable(item, [...path, i])
      if (found) return found
    }
    return undefined
  }
  if (typeof value === "object" && value !== null) {
    for (const [k, item] of Object.entries(value)) {
      const keyProblem = unrenderable(k)
      if (keyProblem) return { key: [...path, k].join("."), reason: `key ${keyProblem}` }
      const found = findUnrenderable(item, [...path, k])
      if (found) return found
    }
  }
  return undefined
}

/**
 * Pure: the first configuration problem that would make the Vagrantfile unrenderable or the
 * machine unbootable, as an error naming the file and key. Nothing is written when this fails.
 */
export const checkRenderable = (ctx: ProjectContextShape, provider: VagrantProviderName): Either.Either<void, ConfigInvalid> => {
  const sources: ReadonlyArray<readonly [string, unknown]> = [[ctx.configFile, ctx.config], [globalConfigFile(ctx), ctx.global]]
  for (const [file, config] of sources) {
    const found = findUnrenderable(config, [])
    if (found) return Either.left(new ConfigInvalid({ file, ...found }))
  }
  const problem = moduleOf(provider).render.configProblem?.(ctx, globalConfigFile(ctx))
  return problem === undefined ? Either.right(undefined) : Either.left(problem)
}

const renderFailure = (ctx: ProjectContextShape) => (e: unknown) =>
  new ConfigInvalid({
    file: ctx.configFile,
    key: "",
    reason: `cannot render ${VAGRANTFILE_NAME}: ${e instanceof Error ? e.message : String(e)}`
  })

/** The project's Vagrantfile text, or a typed error naming the bad key (nothing is thrown). */
export const renderChecked = (ctx: ProjectContextShape, provider: VagrantProviderName, state: ProjectState, hostUser: HostUser | null) =>
  Effect.flatMap(
    checkRenderable(ctx, provider),
    () => Effect.try({ try: () => renderVagrantfile(projectRenderInput(ctx, provider, state, hostUser)), catch: renderFailure(ctx) })
  )

/** The current plan of one instance (the machine's part of the rendering). */
export const currentPlan = (
  ctx: ProjectContextShape,
  provider: VagrantProviderName,
  state: ProjectState,
  instance: string,
  hostUser: HostUser | null
): Effect.Effect<MachinePlan, ConfigInvalid | VmNotFound> =>
  Effect.gen(function*() {
    yield* checkRenderable(ctx, provider)
    const input = projectRenderInput(ctx, provider, state, hostUser)
    const machine = input.machines.find((m) => m.instance === instance)
    if (machine === undefined) return yield* new VmNotFound({ name: instance, known: Object.keys(state.instances) })
    return yield* Effect.try({ try: () => machinePlan(input, machine), catch: renderFailure(ctx) })
  })

/**
 * Every configured synced folder source must exist before a boot: Vagrant's hypervisor providers
 * fail late with a less clear message, and docker would silently create a root-owned directory.
 */
export const checkHostFolders = (ctx: ProjectContextShape) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const lists = [
      [ctx.configFile, ctx.config.synced_folders],
      [globalConfigFile(ctx), ctx.global.synced_folders]
    ] as const
    for (const [file, folders] of lists) {
      for (const [i, folder] of expandHome(ctx.home, folders).entries()) {
        const source = path.resolve(ctx.root, folder.source)
        const exists = yield* fs.exists(source).pipe(Effect.orElseSucceed(() => false))
        if (!exists) {
          return yield* new ConfigInvalid({ file, key: `synced_folders.${i}.source`, reason: `host folder ${source} does not exist` })
        }
      }
    }
  })
