import * as Schema from "effect/Schema"

/** Every provider's raw states map onto these. */
export const VmState = Schema.Literal("running", "stopped", "suspended", "transitional", "broken", "missing", "unknown")
export type VmState = typeof VmState.Type

/** One machine as `vm list` shows it. */
export const MachineInfo = Schema.Struct({
  /** Instance name as the user addresses it. */
  name: Schema.String,
  /** Vagrant machine name in the generated Vagrantfile. */
  machine: Schema.String,
  provider: Schema.String,
  state: VmState,
  rawState: Schema.String,
  /** Provider id from the machine's data directory (container id, VM uuid, …), if created. */
  id: Schema.NullOr(Schema.String)
})
export type MachineInfo = typeof MachineInfo.Type

export interface ExecResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export type OutputMode = "inherit" | "capture"
