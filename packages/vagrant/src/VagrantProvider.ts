import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import {
  type ConfigInvalid,
  type ConfigNotFound,
  type ContextualLifecycle,
  type ForceKill,
  type Lifecycle,
  loadGlobalConfig,
  loadProjectContext,
  Progress,
  type ProjectContext,
  type ProjectContextShape,
  type StatusReporter,
  type TempVms
} from "@vm/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Os from "node:os"
import { liveProjectLayer, liveTempVmsLayer } from "./live.js"

/** The capabilities a project's provider layer supplies, and the project context it acts on. */
export type Capabilities = Lifecycle | StatusReporter | ContextualLifecycle | ForceKill | ProjectContext

/**
 * The `@effect/platform` services the layers run on: `NodeContext.layer` from `@effect/platform-node`
 * supplies all of them, or provide your own FileSystem, Path and CommandExecutor.
 */
export type PlatformServices = CommandExecutor.CommandExecutor | FileSystem.FileSystem | Path.Path

/** How the layers report progress; default: silent (`Progress.silent`). */
export interface ProgressOption {
  /** E.g. a layer that logs each phase, or shows a spinner. */
  readonly progress?: Layer.Layer<Progress>
}

/** Where {@link layer} finds the project. */
export interface ProjectOptions extends ProgressOption {
  /** Directory where `vm.yaml` is looked up, then in its parents, as the `vm` CLI does (default: the current directory). */
  readonly root?: string
  /** The project's config file, instead of looking for `vm.yaml`. */
  readonly configFile?: string
  /** The user's home, for `~/.vm/config.yaml` and `~/.vm` (default: the OS's home directory, `$HOME`). */
  readonly home?: string
}

/** Where {@link tempVmsLayer} keeps its VMs. */
export interface TempVmsOptions extends ProgressOption {
  /** The user's home: temp VMs live in `~/.vm/temp/`, defaults come from `~/.vm/config.yaml` (default: `$HOME`). */
  readonly home?: string
}

/** Reads the project's vm.yaml and the user's global config as {@link layer} does. */
export const loadContext = (
  options: ProjectOptions = {}
): Effect.Effect<ProjectContextShape, ConfigNotFound | ConfigInvalid, FileSystem.FileSystem | Path.Path> =>
  loadProjectContext({
    home: options.home ?? Os.homedir(),
    ...(options.root === undefined ? {} : { from: options.root }),
    ...(options.configFile === undefined ? {} : { configFile: options.configFile })
  })

/**
 * Every capability of the Vagrant provider for a project whose context the caller built (in code, or
 * with {@link loadContext}). The {@link ContextualLifecycle} methods take a context per call.
 */
export const layerFromContext = (
  context: ProjectContextShape,
  options: ProgressOption = {}
): Layer.Layer<Capabilities, never, PlatformServices> =>
  liveProjectLayer(context, options.progress ?? Progress.silent)

/**
 * Every capability of the Vagrant provider for the project at `root` (its `vm.yaml` plus the user's
 * `~/.vm/config.yaml`). Building the layer fails with ConfigNotFound or ConfigInvalid (naming the file and key).
 *
 * @example
 * ```ts
 * const program = Effect.flatMap(Lifecycle, (vms) => vms.list)
 * program.pipe(Effect.provide(VagrantProvider.layer({ root: "/path/to/project" })), Effect.provide(NodeContext.layer))
 * ```
 */
export const layer = (options: ProjectOptions = {}): Layer.Layer<Capabilities, ConfigNotFound | ConfigInvalid, PlatformServices> =>
  Layer.unwrapEffect(Effect.map(loadContext(options), (context) => layerFromContext(context, options)))

/** The user's throw-away VMs ({@link TempVms}), each a project of its own under `~/.vm/temp/`; needs no vm.yaml. */
export const tempVmsLayer = (options: TempVmsOptions = {}): Layer.Layer<TempVms, ConfigInvalid, PlatformServices> => {
  const home = options.home ?? Os.homedir()
  return Layer.unwrapEffect(
    Effect.map(loadGlobalConfig(home), (global) =>
      liveTempVmsLayer({ home, global: global.config }, options.progress ?? Progress.silent))
  )
}
