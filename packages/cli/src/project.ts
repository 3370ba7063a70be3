import { FileSystem, Path } from "@effect/platform"
import { findProjectConfig, HomeDir, loadGlobalConfig, loadProjectConfig } from "@vm/core/config/load"
import { resolveInstance } from "@vm/core/instances"
import { ProjectContext, type ProjectContextShape } from "@vm/core/ProjectContext"
import { ToolsLive, VagrantProjectTag, VagrantProviderLayer } from "@vm/vagrant"
import { Effect, Layer, Option } from "effect"
import { ProgressLive } from "./TtyProgress.js"

/** vm.yaml (from -c or found upward from the cwd) plus the global config. */
export const loadProjectContext = (configPath: Option.Option<string>) =>
  Effect.gen(function*() {
    const home = yield* HomeDir
    const file = Option.isSome(configPath) ? configPath.value : yield* findProjectConfig(process.cwd())
    const project = yield* loadProjectConfig(file)
    const global = yield* loadGlobalConfig(home)
    return {
      root: project.root,
      configFile: project.file,
      config: project.config,
      global: global.config,
      ...(Option.isSome(global.file) ? { globalConfigFile: global.file.value } : {}),
      home
    } satisfies ProjectContextShape
  })

/** The provider layer for a loaded project, with the live tools. */
export const providerFor = (ctx: ProjectContextShape) =>
  VagrantProviderLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(Layer.succeed(ProjectContext, ctx), ToolsLive, ProgressLive))
  )

/** Resolves a user-typed instance name against the project's instances. */
export const resolveName = (name: Option.Option<string>) =>
  Effect.gen(function*() {
    const project = yield* VagrantProjectTag
    const state = yield* project.readState
    return yield* resolveInstance(Option.getOrUndefined(name), Object.keys(state.instances))
  })

export type PlatformServices = FileSystem.FileSystem | Path.Path
