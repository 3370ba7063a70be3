import type * as Command from "@effect/cli/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { HomeDir } from "@vm/core/config/load"
import { loadProjectContext as loadContext } from "@vm/core/config/projectContext"
import { resolveInstance } from "@vm/core/instances"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { liveProjectLayer } from "@vm/vagrant/live"
import { VagrantProjectTag } from "@vm/vagrant/project/VagrantProject"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { vm } from "./commands/root.js"
import { ProgressLive } from "./TtyProgress.js"

/** vm.yaml (from -c or found upward from the cwd) plus the global config. */
export const loadProjectContext = (configPath: Option.Option<string>) =>
  Effect.flatMap(HomeDir, (home) => loadContext({ home, ...(Option.isSome(configPath) ? { configFile: configPath.value } : {}) }))

/** The provider layer for a loaded project, with the live tools. */
export const providerFor = (ctx: ProjectContextShape) => liveProjectLayer(ctx, ProgressLive)

/** Resolves a user-typed instance name against the project's instances. */
export const resolveName = (name: Option.Option<string>) =>
  Effect.gen(function*() {
    const project = yield* VagrantProjectTag
    const state = yield* project.readState
    return yield* resolveInstance(Option.getOrUndefined(name), Object.keys(state.instances))
  })

export type PlatformServices = FileSystem.FileSystem | Path.Path

type ProviderServices = Layer.Layer.Success<ReturnType<typeof providerFor>>

/** Runs `body` with the provider for the project vm.yaml points at. */
export const withProject = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const { config } = yield* vm
    const ctx = yield* loadProjectContext(config)
    return yield* body.pipe(Effect.provide(providerFor(ctx)))
  }) as Effect.Effect<
    A,
    E | Effect.Effect.Error<ReturnType<typeof loadProjectContext>> | Layer.Layer.Error<ReturnType<typeof providerFor>>,
    | Exclude<R, ProviderServices>
    | Effect.Effect.Context<ReturnType<typeof loadProjectContext>>
    | Layer.Layer.Context<ReturnType<typeof providerFor>>
    | Command.Command.Context<"vm">
  >
