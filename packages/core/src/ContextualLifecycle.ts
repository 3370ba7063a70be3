import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { VmError } from "./errors.js"
import type { CreateOptions } from "./Lifecycle.js"
import type { MachineInfo } from "./model.js"
import type { ProjectContextShape } from "./ProjectContext.js"

/** What a machine needs so that it runs with the current configuration. */
export type ApplyAction = "none" | "reload" | "recreate"

/** The difference between the configuration a machine last booted with and the current one. */
export interface ConfigDrift {
  /** True when the machine does not run with the current configuration. */
  readonly configChanged: boolean
  /** How `restart` applies it: in place (`reload`), or by rebuilding the machine (`recreate`). */
  readonly action: ApplyAction
  /** One readable line per difference, e.g. "synced folders changed (+/data)". Values are never shown (they may be secrets). */
  readonly reasons: ReadonlyArray<string>
}

/** What a contextual start/restart did. */
export interface AppliedConfig {
  readonly machine: MachineInfo
  /** "up": booted a stopped/missing machine; "none": left a running machine alone. */
  readonly performed: "none" | "up" | "reload" | "recreate"
  /** Why, when configuration changes were applied (empty otherwise). */
  readonly reasons: ReadonlyArray<string>
}

/**
 * Lifecycle operations that take the project context from the caller (who built it from vm.yaml,
 * ~/.vm/config.yaml, or anything else) and apply it: the provider re-renders its files from it,
 * then chooses the least disruptive way to make the machine match it.
 */
export interface ContextualLifecycleShape {
  readonly createWithContext: (
    instance: string,
    options: CreateOptions,
    context: ProjectContextShape
  ) => Effect.Effect<MachineInfo, VmError>
  /** Boots a stopped machine with `context`; a running machine is left alone (drift is reported, not applied). */
  readonly startWithContext: (instance: string, context: ProjectContextShape) => Effect.Effect<AppliedConfig, VmError>
  /** Restarts the machine with `context`: in place when the provider can, else by recreating it (announced first). */
  readonly restartWithContext: (instance: string, context: ProjectContextShape) => Effect.Effect<AppliedConfig, VmError>
  /** Pure comparison of the booted configuration with `context`; runs nothing. */
  readonly drift: (instance: string, context: ProjectContextShape) => Effect.Effect<ConfigDrift, VmError>
}

/** Lifecycle operations with a caller-built {@link ProjectContextShape} per call (see {@link ContextualLifecycleShape}). */
export class ContextualLifecycle
  extends Context.Tag("@vm/core/ContextualLifecycle")<ContextualLifecycle, ContextualLifecycleShape>()
{}
