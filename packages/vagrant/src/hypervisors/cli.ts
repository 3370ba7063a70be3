import { CommandFailed, CommandTimeout, type ToolNotInstalled } from "@vm/core"
import { DOCTOR_HINT, type ProcessRunnerShape, type RunResult, tail } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export type CliError = CommandFailed | CommandTimeout | ToolNotInstalled

export interface CliRunOptions {
  readonly timeoutMs: number
  /** Fail with CommandFailed on a non-zero exit (default true). */
  readonly check?: boolean
}

/** One hypervisor CLI: `run(args)` starts `<tool> ...args`; each service builds its typed helpers on it. */
export type CliRun = (args: ReadonlyArray<string>, options: CliRunOptions) => Effect.Effect<RunResult, CliError>

/** What a tool prints when the daemon behind it does not answer, and what that daemon is called. */
export interface DaemonUnreachable {
  readonly output: RegExp
  readonly daemon: string
}

/** A failure whose output says the daemon does not answer gets a hint pointing to `vm doctor`. */
export const withDaemonHint = (unreachable: DaemonUnreachable | undefined) =>
<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | CommandFailed> =>
  unreachable === undefined ? effect : Effect.mapError(effect, (e) =>
    e instanceof CommandFailed && e.hint === undefined && unreachable.output.test(e.stderrTail)
      ? new CommandFailed({ ...e, hint: `${unreachable.daemon} does not answer; ${DOCTOR_HINT}` })
      : e)

/** The live `run` of a CLI service: the tool through the one ProcessRunner. */
export const processCli = (processes: ProcessRunnerShape, tool: string, installHint: string, unreachable?: DaemonUnreachable): CliRun =>
(
  args,
  options
) =>
  processes.run(tool, args, {
    timeoutMs: options.timeoutMs,
    installHint,
    ...(options.check === undefined ? {} : { check: options.check })
  }).pipe(withDaemonHint(unreachable))

/** Answers one scripted call: a result, a failure, or `Effect.never` to hang (undefined = unscripted → defect). */
export type CliAnswer = (args: ReadonlyArray<string>) => Effect.Effect<Partial<RunResult> | undefined, CliError>

/** The answer for a call a script does not cover: the fake dies naming it. */
export const notScripted: Effect.Effect<Partial<RunResult> | undefined> = Effect.sync(() => undefined)

/** A recorded call of a fake CLI: the exact argv, tool first. */
export type CliCall = ReadonlyArray<string>

/**
 * A fake `run` for tests: records `[tool, ...args]` into `log`, answers from `answer`, and enforces
 * timeouts and exit codes exactly as the live runner does (a hanging answer ends in CommandTimeout).
 */
export const scriptedCli = (tool: string, answer: CliAnswer, log: Ref.Ref<ReadonlyArray<CliCall>>): CliRun =>
(
  args,
  options
) =>
  Effect.gen(function*() {
    const argv = [tool, ...args]
    yield* Ref.update(log, (all) => [...all, argv])
    const scripted = yield* answer(args).pipe(
      Effect.timeoutFail({
        duration: options.timeoutMs,
        onTimeout: () => new CommandTimeout({ command: argv, timeoutMs: options.timeoutMs })
      })
    )
    if (scripted === undefined) return yield* Effect.dieMessage(`unscripted call: ${argv.join(" ")}`)
    const result: RunResult = { exitCode: 0, stdout: "", stderr: "", durationMs: 0, ...scripted }
    if (result.exitCode !== 0 && options.check !== false) {
      return yield* new CommandFailed({ command: argv, exitCode: result.exitCode, stderrTail: tail(result.stderr || result.stdout) })
    }
    return result
  })
