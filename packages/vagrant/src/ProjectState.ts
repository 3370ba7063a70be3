import * as Schema from "effect/Schema"
import { MachinePlan } from "./context/plan.js"

export const InstanceRecord = Schema.Struct({
  machine: Schema.String,
  /** Loopback port sshd listens on (docker provider); null for hypervisor providers. */
  sshPort: Schema.NullOr(Schema.Number),
  provider: Schema.String,
  createdAt: Schema.String,
  /** sha256 of the Vagrantfile this machine was last booted with. */
  bootedHash: Schema.optional(Schema.String),
  /** What this machine was last booted with: `vm status` reports drift, `vm restart` picks reload or recreate from it. */
  booted: Schema.optional(MachinePlan)
})
export type InstanceRecord = typeof InstanceRecord.Type

/** `.vm/state.json` in the project root: the project's instances, kept by `vm` under a lock. */
export const ProjectState = Schema.Struct({
  version: Schema.Literal(1),
  instances: Schema.Record({ key: Schema.String, value: InstanceRecord })
})
export type ProjectState = typeof ProjectState.Type

export const emptyProjectState = (): ProjectState => ({ version: 1, instances: {} })

export const STATE_FILE = ".vm/state.json"
