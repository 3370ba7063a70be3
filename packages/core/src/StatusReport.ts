import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { VmError } from "./errors.js"
import { VmState } from "./model.js"

const NullableNumber = Schema.NullOr(Schema.Number)

/** Live resource use; every field is null when the machine does not run or the value could not be read. */
export const Resources = Schema.Struct({
  /** Like `docker stats`: 100 per fully used CPU, so 0 … 100 × cpuCount. */
  cpuPercent: NullableNumber,
  /**
   * How long the CPU window was: at least 0.2 s; when the previous report of the same guest was taken
   * up to 10 s earlier, the window starts there (like \`top\` between refreshes) and no sample is waited for.
   */
  cpuWindowSeconds: NullableNumber,
  /** CPUs the guest may use (a container's CPU quota included). */
  cpuCount: NullableNumber,
  memoryUsedMb: NullableNumber,
  memoryLimitMb: NullableNumber,
  diskUsedGb: NullableNumber,
  diskTotalGb: NullableNumber
})
export type Resources = typeof Resources.Type

export const noResources: Resources = {
  cpuPercent: null,
  cpuWindowSeconds: null,
  cpuCount: null,
  memoryUsedMb: null,
  memoryLimitMb: null,
  diskUsedGb: null,
  diskTotalGb: null
}

/** One service enabled in vm.yaml (`services:`), as probed inside the guest. */
export const ServiceStatus = Schema.Struct({
  name: Schema.String,
  /** null: could not be probed (machine unreachable, nothing to check). */
  isRunning: Schema.NullOr(Schema.Boolean),
  /** Guest port the service listens on, if configured. */
  port: NullableNumber,
  /** Where the port is reachable from the host, if it is. */
  hostPort: NullableNumber,
  /** Short evidence when running, e.g. "pid 42, listening on 8080". */
  detail: Schema.NullOr(Schema.String),
  /** Why it is not running or could not be probed. */
  error: Schema.NullOr(Schema.String)
})
export type ServiceStatus = typeof ServiceStatus.Type

/**
 * What `vm status` shows and `vm status --json` prints. A stopped or missing machine is a valid
 * report (resources null); parts that could not be collected are listed in `errors`.
 */
export const StatusReport = Schema.Struct({
  name: Schema.String,
  /** Vagrant machine name. */
  machine: Schema.String,
  provider: Schema.String,
  /** Provider id (container id, VM uuid, …); null when not created. */
  machineId: Schema.NullOr(Schema.String),
  state: VmState,
  /** The provider's own state id. */
  rawState: Schema.String,
  isRunning: Schema.Boolean,
  uptimeSeconds: NullableNumber,
  resources: Resources,
  services: Schema.Array(ServiceStatus),
  /** Parts that could not be collected, one readable line each. */
  errors: Schema.Array(Schema.String),
  /** Things the user should act on, one line each (e.g. "config changed since last start"). */
  notices: Schema.Array(Schema.String),
  /** true when the guest data comes from the short-lived report cache, not from this call. */
  stale: Schema.Boolean,
  /** ISO 8601 time the guest data was collected. */
  collectedAt: Schema.String
})
export type StatusReport = typeof StatusReport.Type

export interface StatusOptions {
  /** Bypass the report cache. */
  readonly fresh?: boolean
}

export interface StatusReporterShape {
  /**
   * The status of one machine (exact instance name). Fails only when the instance is unknown or the
   * project state cannot be read; everything about the machine itself goes into the report.
   */
  readonly report: (instance: string, options?: StatusOptions) => Effect.Effect<StatusReport, VmError>
}

/** The status capability of a provider. */
export class StatusReporter extends Context.Tag("@vm/core/StatusReporter")<StatusReporter, StatusReporterShape>() {}
