import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { VagrantProviderName } from "./config/schema.js"
import type { VmError } from "./errors.js"
import type { MachineInfo } from "./model.js"
import type { ProjectContextShape } from "./ProjectContext.js"
import type { TempVmRecord } from "./temp/TempVmRecord.js"

export interface CreateTempOptions {
  /** undefined: a generated `adjective-noun-NN`. */
  readonly name: string | undefined
  /** `SOURCE[:TARGET][:ro|rw]` specs, sources relative to `cwd`. */
  readonly mounts: ReadonlyArray<string>
  readonly cwd: string
  /** undefined: the user's default provider, else auto-detected as for projects. */
  readonly provider: VagrantProviderName | undefined
  readonly autoDestroy: boolean
}

export interface ReuseTempOptions {
  /** Replace the VM's mounts with these. */
  readonly mounts: ReadonlyArray<string>
  readonly cwd: string
  readonly autoDestroy: boolean
}

export interface UnmountSelection {
  /** Host directories or guest targets. */
  readonly paths: ReadonlyArray<string>
  readonly all: boolean
}

export interface TempVmSummary {
  readonly record: TempVmRecord
  /** Directory holding the VM's Vagrantfile and state. */
  readonly dir: string
  readonly machine: MachineInfo
}

/**
 * Throw-away VMs with host directories mounted. Each is a project of its own under ~/.vm/temp/<name>/,
 * so `context(name)` can be handed to the normal provider layers for ssh, exec and status.
 */
export interface TempVmsShape {
  readonly names: Effect.Effect<ReadonlyArray<string>, VmError>
  /** The one temp VM when `query` is undefined, else the VM named (or uniquely prefixed) by it. */
  readonly resolve: (query: string | undefined) => Effect.Effect<string, VmError>
  readonly get: (name: string) => Effect.Effect<TempVmRecord, VmError>
  readonly context: (name: string) => Effect.Effect<ProjectContextShape, VmError>
  /** The provider `create` would use. */
  readonly providerFor: (requested: VagrantProviderName | undefined) => VagrantProviderName
  /** Creates and boots a VM with its mounts; on failure nothing is left behind. */
  readonly create: (options: CreateTempOptions) => Effect.Effect<TempVmRecord, VmError>
  /** A running temp VM of that provider that answers over ssh (newest first). */
  readonly findWarm: (provider: VagrantProviderName) => Effect.Effect<Option.Option<TempVmRecord>, VmError>
  readonly reuse: (name: string, options: ReuseTempOptions) => Effect.Effect<TempVmRecord, VmError>
  /** Records the mounts, then applies them (the machine runs afterwards). */
  readonly mount: (name: string, specs: ReadonlyArray<string>, cwd: string) => Effect.Effect<TempVmRecord, VmError>
  readonly unmount: (name: string, selection: UnmountSelection, cwd: string) => Effect.Effect<TempVmRecord, VmError>
  /** Brings the machine in line with the recorded mounts (no-op when it already is). */
  readonly apply: (name: string) => Effect.Effect<TempVmRecord, VmError>
  readonly list: Effect.Effect<ReadonlyArray<TempVmSummary>, VmError>
  readonly start: (name: string) => Effect.Effect<MachineInfo, VmError>
  readonly stop: (name: string) => Effect.Effect<MachineInfo, VmError>
  readonly restart: (name: string) => Effect.Effect<MachineInfo, VmError>
  /** Removes the machine, its directory and its state. */
  readonly destroy: (name: string) => Effect.Effect<void, VmError>
}

/** The user's throw-away VMs with host directories mounted (see {@link TempVmsShape}). */
export class TempVms extends Context.Tag("@vm/core/TempVms")<TempVms, TempVmsShape>() {}
