import type { SyncedFolder } from "@vm/core"
import { isAbsolute, resolve } from "node:path"
import { rubyString } from "../ruby.js"

/** Delimit the tool-managed mounts (temp VMs); present in every rendering, possibly empty. */
export const SYNCED_BEGIN = "# BEGIN SYNCED FOLDERS"
export const SYNCED_END = "# END SYNCED FOLDERS"

export interface ResolvedFolder {
  readonly source: string
  readonly target: string
  readonly readonly: boolean
}

// Vagrant keys folders by guest path without a trailing slash and *merges* options of repeats
// (a ro mount would leak its options into a later rw one), so each target is emitted once.
const targetKey = (target: string): string => target.replace(/\/$/, "")

const resolveFolder = (projectRoot: string, folder: SyncedFolder): ResolvedFolder => ({
  source: isAbsolute(folder.source) ? folder.source : resolve(projectRoot, folder.source),
  target: folder.target,
  readonly: folder.readonly ?? false
})

export interface FolderPlan {
  /** Project root, then project folders, then global folders. */
  readonly base: ReadonlyArray<ResolvedFolder>
  /** Tool-managed folders; they take their target from any base folder. */
  readonly extra: ReadonlyArray<ResolvedFolder>
}

export const planSyncedFolders = (
  projectRoot: string,
  workspacePath: string,
  configured: ReadonlyArray<SyncedFolder>,
  extra: ReadonlyArray<SyncedFolder>
): FolderPlan => {
  const taken = new Set<string>()
  const dedupe = (folders: ReadonlyArray<ResolvedFolder>) =>
    folders.filter((f) => {
      const key = targetKey(f.target)
      if (taken.has(key)) return false
      taken.add(key)
      return true
    })
  const extraFolders = dedupe(extra.map((f) => resolveFolder(projectRoot, f)))
  const base = dedupe([
    { source: projectRoot, target: workspacePath, readonly: false },
    ...configured.map((f) => resolveFolder(projectRoot, f))
  ])
  return { base, extra: extraFolders }
}

/** One `config.vm.synced_folder` line; the provider module spells the type and read-only (`folderOptions`). */
export const syncedFolderLine = (folder: ResolvedFolder, options: (readonly: boolean) => string): string =>
  `config.vm.synced_folder ${rubyString(folder.source)}, ${rubyString(folder.target)}${options(folder.readonly)}`
