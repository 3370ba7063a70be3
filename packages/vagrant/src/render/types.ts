import type { GlobalConfig, ProjectConfig, SyncedFolder, VagrantProviderName } from "@vm/core"
import type { HostUser } from "../hypervisors/HostTools.js"

export interface RenderMachine {
  /** User-facing instance name, e.g. "dev". */
  readonly instance: string
  /** Vagrant machine name (already validated, contains a non-hex letter). */
  readonly machine: string
  /** Loopback port the guest's ssh is reached on, when vm allocates one (see ProviderModule.ownsSshPort); else null. */
  readonly sshPort: number | null
  /** Already validated. */
  readonly hostname: string
}

export interface RenderInput {
  /** Absolute host path; synced to config.project.workspace_path. */
  readonly projectRoot: string
  readonly provider: VagrantProviderName
  readonly config: ProjectConfig
  readonly global: GlobalConfig
  /** ALL machines of the project: a machine missing from the file becomes unmanageable. */
  readonly machines: ReadonlyArray<RenderMachine>
  /** Tool-managed mounts (temp VMs), absolute sources. */
  readonly extraSyncedFolders: ReadonlyArray<SyncedFolder>
  readonly dockerImageDefault: string
  /** The user running vm (owner of what the guest writes into bind mounts); null: no POSIX ids (Windows). */
  readonly hostUser: HostUser | null
}

/** What a provider module renders one machine from. */
export type MachineRenderInput = RenderInput & {
  readonly instance: string
  readonly machine: string
  readonly sshPort: number | null
}
