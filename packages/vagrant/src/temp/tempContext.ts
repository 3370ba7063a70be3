import {
  type GlobalConfig,
  type ProjectConfig,
  ProjectConfig as ProjectConfigSchema,
  type ProjectContextShape,
  type TempVmRecord,
  type VagrantProviderName
} from "@vm/core"
import { TEMP_WORKSPACE } from "@vm/core/provider"
import * as Schema from "effect/Schema"
import * as Path from "node:path"

/**
 * Layout of one temp VM, a project of its own:
 *   ~/.vm/temp/<name>/state.json          the TempVmRecord (mounts, provider, …), under state.json.lock
 *   ~/.vm/temp/<name>/Vagrantfile.vmtool  generated; mounts between # BEGIN/# END SYNCED FOLDERS
 *   ~/.vm/temp/<name>/.vm/                Vagrant's machine data, the instance record, ssh config, apply.lock
 *   ~/.vm/temp/<name>/workspace/          empty directory behind the guest's /workspace
 */
export const tempRoot = (home: string) => Path.join(home, ".vm", "temp")
export const tempDir = (home: string, name: string) => Path.join(tempRoot(home), name)
export const tempStateFile = (dir: string) => Path.join(dir, "state.json")
/** Held while a machine is created, changed or destroyed, so two applies never overlap. */
export const tempApplyLock = (dir: string) => Path.join(dir, ".vm", "apply.lock")
export const tempPlaceholder = (dir: string) => Path.join(dir, "workspace")

/** Project name of every temp VM: hostnames become `temp-<name>`, containers `vm-temp-<name>-…`. */
export const TEMP_PROJECT_NAME = "temp"

export const tempProjectConfig = (provider: VagrantProviderName | undefined): ProjectConfig =>
  Schema.decodeUnknownSync(ProjectConfigSchema)({
    project: { name: TEMP_PROJECT_NAME, workspace_path: TEMP_WORKSPACE },
    ...(provider === undefined ? {} : { vagrant: { provider } })
  })

/**
 * The ProjectContext of a temp VM: its directory is the project root and its mounts are the
 * tool-managed synced folders. /workspace is backed by the empty placeholder directory (unless a
 * mount takes it), so the Vagrantfile and state next to it never reach the guest.
 */
export const tempContext = (home: string, global: GlobalConfig, record: TempVmRecord): ProjectContextShape => {
  const dir = tempDir(home, record.name)
  const takesWorkspace = record.mounts.some((m) => m.target === TEMP_WORKSPACE)
  return {
    root: dir,
    configFile: tempStateFile(dir),
    config: tempProjectConfig(record.provider),
    global,
    home,
    extraSyncedFolders: [
      ...(takesWorkspace ? [] : [{ source: tempPlaceholder(dir), target: TEMP_WORKSPACE, readonly: false }]),
      ...record.mounts
    ]
  }
}

/** The guest login user, whose home a mount must not hide. */
export const guestUser = (global: GlobalConfig) => global.defaults.user ?? "vagrant"
