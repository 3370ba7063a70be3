import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { VmError } from "./errors.js"
import type { ExecResult, MachineInfo, OutputMode } from "./model.js"

export interface CreateOptions {
  /** Destroy an existing machine of that name first. */
  readonly force: boolean
}

export interface ExecOptions {
  /** "inherit" streams to the caller's terminal; "capture" returns the output. */
  readonly output: OutputMode
  /** Guest directory; defaults to the workspace. */
  readonly cwd?: string
}

export interface LogsOptions {
  readonly tail: number
  readonly follow: boolean
}

/**
 * The lifecycle every provider implements. Instance names are exact (resolve them first
 * with `resolveInstance`); `create` takes a new one.
 */
export interface LifecycleShape {
  readonly provider: string
  readonly create: (instance: string, options: CreateOptions) => Effect.Effect<MachineInfo, VmError>
  readonly start: (instance: string) => Effect.Effect<MachineInfo, VmError>
  readonly stop: (instance: string) => Effect.Effect<MachineInfo, VmError>
  readonly restart: (instance: string) => Effect.Effect<MachineInfo, VmError>
  readonly destroy: (instance: string) => Effect.Effect<void, VmError>
  readonly provision: (instance: string) => Effect.Effect<void, VmError>
  /** Interactive shell in `path` (relative to the workspace, or absolute); resolves to the shell's exit code. */
  readonly ssh: (instance: string, options: { readonly path?: string }) => Effect.Effect<number, VmError>
  readonly exec: (instance: string, argv: ReadonlyArray<string>, options: ExecOptions) => Effect.Effect<ExecResult, VmError>
  /** Writes the machine's log tail to stdout (and follows it when asked). */
  readonly logs: (instance: string, options: LogsOptions) => Effect.Effect<void, VmError>
  /** Every machine of the project, created or not. */
  readonly list: Effect.Effect<ReadonlyArray<MachineInfo>, VmError>
  /** One machine's current state. */
  readonly state: (instance: string) => Effect.Effect<MachineInfo, VmError>
}

/** The lifecycle capability of a provider (per project): create, start, stop, exec, list, … (see {@link LifecycleShape}). */
export class Lifecycle extends Context.Tag("@vm/core/Lifecycle")<Lifecycle, LifecycleShape>() {}
