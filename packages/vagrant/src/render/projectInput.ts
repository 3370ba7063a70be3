import type { ProjectContextShape, SyncedFolder, VagrantProviderName } from "@vm/core"
import type { HostUser } from "../hypervisors/HostTools.js"
import type { ProjectState } from "../ProjectState.js"
import type { RenderInput, RenderMachine } from "./Vagrantfile.js"

import { DEFAULT_DOCKER_IMAGE } from "../providers/docker.js"

export { DEFAULT_DOCKER_IMAGE } from "../providers/docker.js"

const hostnameFor = (ctx: ProjectContextShape, instance: string) => {
  const base = ctx.config.project.name.toLowerCase().replace(/[^a-z0-9-]/g, "-")
  return instance === "dev" && ctx.config.project.hostname ? ctx.config.project.hostname : `${base}-${instance}`
}

/** `~` and `~/…` sources are the user's home (global config folders are shared between projects). */
export const expandHome = (home: string, folders: ReadonlyArray<SyncedFolder>) =>
  folders.map((f) => f.source === "~" || f.source.startsWith("~/") ? { ...f, source: home + f.source.slice(1) } : f)

/** Pure: what the renderer needs for the project's current instances. */
export const projectRenderInput = (
  ctx: ProjectContextShape,
  provider: VagrantProviderName,
  state: ProjectState,
  hostUser: HostUser | null
): RenderInput => ({
  projectRoot: ctx.root,
  provider,
  config: { ...ctx.config, synced_folders: expandHome(ctx.home, ctx.config.synced_folders) },
  global: { ...ctx.global, synced_folders: expandHome(ctx.home, ctx.global.synced_folders) },
  machines: Object.entries(state.instances)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([instance, r]): RenderMachine => ({ instance, machine: r.machine, sshPort: r.sshPort, hostname: hostnameFor(ctx, instance) })),
  extraSyncedFolders: ctx.extraSyncedFolders ?? [],
  dockerImageDefault: DEFAULT_DOCKER_IMAGE,
  hostUser
})
