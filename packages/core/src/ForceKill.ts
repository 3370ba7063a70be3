import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { VmError } from "./errors.js"

/** The whole kill, every step included, must end within this many milliseconds. */
export const KILL_BUDGET_MS = 5000

/**
 * The ladder's rungs, tried in this order:
 * the provider's own forced halt, the hypervisor's hard stop by the machine's real id,
 * then ending the hypervisor's per-VM process when the hypervisor CLI itself hangs.
 */
export const KillStep = Schema.Literal("vagrant-halt", "hypervisor-stop", "process-kill")
export type KillStep = typeof KillStep.Type

/**
 * stopped: the machine was verified off afterwards; not-stopped: the command succeeded but the
 * machine still runs; failed / timeout: the command did; skipped: not run (reason in `error`).
 */
export const KillOutcome = Schema.Literal("stopped", "not-stopped", "failed", "timeout", "skipped")
export type KillOutcome = typeof KillOutcome.Type

export const KillStepReport = Schema.Struct({
  step: KillStep,
  /** What ran, readable: `docker kill 3f2a…`. */
  command: Schema.String,
  outcome: KillOutcome,
  durationMs: Schema.Number,
  error: Schema.optional(Schema.String)
})
export type KillStepReport = typeof KillStepReport.Type

export const KillReport = Schema.Struct({
  name: Schema.String,
  /** Provider detected from the machine's data directory. */
  provider: Schema.String,
  /** The provider's real id (container id, VM uuid, vmx path) the hard stop addressed. */
  machineId: Schema.String,
  /** The step that left the machine off; "already-off" when it was off before anything ran. */
  step: Schema.Union(KillStep, Schema.Literal("already-off")),
  stepsTried: Schema.Array(KillStepReport),
  durationMs: Schema.Number,
  warnings: Schema.Array(Schema.String)
})
export type KillReport = typeof KillReport.Type

export interface KillOptions {
  /** Milliseconds from the call; default KILL_BUDGET_MS. A CLI passes what is left of 5 s since it started. */
  readonly budgetMs?: number
}

export interface ForceKillShape {
  /**
   * Powers the machine off within the budget (default KILL_BUDGET_MS) without destroying it (disk and workspace survive).
   * Fails with KillFailed when every step failed, ProviderUnsupported for a provider without a hard stop
   * that Vagrant's forced halt could not stop either.
   */
  readonly kill: (instance: string, options?: KillOptions) => Effect.Effect<KillReport, VmError>
}

/** Powers a hung machine off within a time budget without destroying it (see {@link ForceKillShape}). */
export class ForceKill extends Context.Tag("@vm/core/ForceKill")<ForceKill, ForceKillShape>() {}
