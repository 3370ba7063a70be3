import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ConfigInvalid, ConfigNotFound } from "../errors.js"
import type { ProjectContextShape } from "../ProjectContext.js"
import { findProjectConfig, loadGlobalConfig, loadProjectConfig } from "./load.js"

/** Where {@link loadProjectContext} finds the project and the user's files. */
export interface ProjectContextSource {
  /** The project's config file; when absent, `vm.yaml` is looked up in `from` and its parents. */
  readonly configFile?: string
  /** Directory the lookup starts in (default: the current directory). */
  readonly from?: string
  /** The user's home: `~/.vm/config.yaml` (else `~/.config/vm/global.yaml`) is read from here, and `~/.vm` is used for state. */
  readonly home: string
}

/**
 * The context providers act on, loaded the way the `vm` CLI loads it: the project's vm.yaml plus the
 * user's global config. Fails with {@link ConfigNotFound} when no vm.yaml is found and {@link ConfigInvalid}
 * (naming the file and key) when a file cannot be read or does not match its schema.
 */
export const loadProjectContext = (
  source: ProjectContextSource
): Effect.Effect<ProjectContextShape, ConfigNotFound | ConfigInvalid, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const file = source.configFile ?? (yield* findProjectConfig(source.from ?? process.cwd()))
    const project = yield* loadProjectConfig(file)
    const global = yield* loadGlobalConfig(source.home)
    return {
      root: project.root,
      configFile: project.file,
      config: project.config,
      global: global.config,
      ...(Option.isSome(global.file) ? { globalConfigFile: global.file.value } : {}),
      home: source.home
    }
  })
