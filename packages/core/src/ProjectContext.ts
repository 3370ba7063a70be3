import * as Context from "effect/Context"
import type { GlobalConfig, ProjectConfig, SyncedFolder } from "./config/schema.js"

/**
 * Everything a provider needs to know about the project it acts on.
 * The CLI builds it from vm.yaml and ~/.vm/config.yaml; library callers may build their own.
 */
export interface ProjectContextShape {
  /** Directory of vm.yaml (or of a temp VM): Vagrant's working directory. */
  readonly root: string
  /** Source of `config`, for error messages. */
  readonly configFile: string
  readonly config: ProjectConfig
  readonly global: GlobalConfig
  /** Source of `global`, for error messages (default: <home>/.vm/config.yaml). */
  readonly globalConfigFile?: string
  /** The user's home (for ~/.vm). */
  readonly home: string
  /** Tool-managed mounts (temp VMs), with absolute sources. */
  readonly extraSyncedFolders?: ReadonlyArray<SyncedFolder>
}

/** The project a provider layer acts on (see {@link ProjectContextShape}). */
export class ProjectContext extends Context.Tag("@vm/core/ProjectContext")<ProjectContext, ProjectContextShape>() {}
