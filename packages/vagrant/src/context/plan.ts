import * as Schema from "effect/Schema"
import { sha256 } from "../hash.js"
import { moduleOf } from "../providers/registry.js"
import { type RenderInput, type RenderMachine, renderVagrantfile, resolveEnvironment } from "../render/Vagrantfile.js"
import { forwardedPorts, resolveProviderSettings, resolveUser } from "../render/settings.js"
import { planSyncedFolders } from "../render/syncedFolders.js"

export const PlannedFolder = Schema.Struct({ source: Schema.String, target: Schema.String, readonly: Schema.Boolean })
export type PlannedFolder = typeof PlannedFolder.Type

/**
 * What one machine is configured to be, in the terms that decide how a change can be applied.
 * Stored in `.vm/state.json` when the machine boots, compared with the current one afterwards.
 * Environment values and the provision script are stored as hashes: they may hold secrets.
 */
export const MachinePlan = Schema.Struct({
  provider: Schema.String,
  /** Hypervisor providers only. */
  box: Schema.NullOr(Schema.String),
  /** docker provider only. */
  image: Schema.NullOr(Schema.String),
  /** docker provider: the user's extra `docker create` arguments. */
  createArgs: Schema.Array(Schema.String),
  /** `uid:gid` given to the guest user at creation (docker: the host user's); absent: the image's own (and in older records). */
  guestUser: Schema.optional(Schema.String),
  /** Workspace first, then configured and tool-managed folders, as rendered. */
  syncedFolders: Schema.Array(PlannedFolder),
  hostname: Schema.String,
  memory: Schema.NullOr(Schema.Number),
  cpus: Schema.NullOr(Schema.Number),
  /** Forwarded ports (none where guest ports are host ports: the docker provider's host network). */
  ports: Schema.Array(Schema.Number),
  /** Variable name → sha256 of its value. */
  environment: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** sha256 of the user's provisioner, null when there is none. */
  provision: Schema.NullOr(Schema.String),
  /** `config.ssh.username`; null: Vagrant's default. */
  user: Schema.NullOr(Schema.String),
  /** sha256 of the Vagrantfile rendered for this machine alone: catches every other setting. */
  renderHash: Schema.String
})
export type MachinePlan = typeof MachinePlan.Type

/** Pure; throws like the renderer on input it cannot render (check it first, see renderCheck.ts). */
export const machinePlan = (input: RenderInput, machine: RenderMachine): MachinePlan => {
  const { config, global } = input
  const provider = moduleOf(input.provider)
  const base = provider.base(config, global, input.dockerImageDefault, input.hostUser)
  const folders = planSyncedFolders(
    input.projectRoot,
    config.project.workspace_path,
    [...config.synced_folders, ...global.synced_folders],
    input.extraSyncedFolders
  )
  const settings = resolveProviderSettings(config, global)
  const environment = resolveEnvironment(config, global)
  return {
    provider: input.provider,
    box: base.box,
    image: base.image,
    createArgs: [...base.createArgs],
    ...(base.guestUser === undefined ? {} : { guestUser: base.guestUser }),
    syncedFolders: [...folders.base, ...folders.extra].map((f) => ({ source: f.source, target: f.target, readonly: f.readonly })),
    hostname: machine.hostname,
    memory: settings.memory ?? null,
    cpus: settings.cpus ?? null,
    ports: provider.guestPortsAreHostPorts ? [] : forwardedPorts(config).map((p) => p.port),
    environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, sha256(v)])),
    provision: config.provision === undefined ? null : sha256(JSON.stringify(config.provision)),
    user: resolveUser(config, global) ?? null,
    renderHash: sha256(renderVagrantfile({ ...input, machines: [machine] }))
  }
}
