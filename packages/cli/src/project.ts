import { FileSystem, Path } from "@effect/platform"
import { HomeDir } from "@vm/core/config/load"
import { loadProjectContext as loadContext } from "@vm/core/config/projectContext"
import { resolveInstance } from "@vm/core/instances"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { liveProjectLayer } from "@vm/vagrant/live"
import { VagrantProjectTag } from "@vm/vagrant/project/VagrantProject"
import { Effect, Option } from "effect"
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
