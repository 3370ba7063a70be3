import * as Command from "@effect/platform/Command"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { CommandFailed, CommandTimeout, tail, ToolNotInstalled } from "../errors.js"

export interface RunOptions {
  readonly cwd?: string
  /** Added to (and overriding) the current environment. */
  readonly env?: Readonly<Record<string, string>>
  /** Milliseconds; "none" only for interactive sessions the user ends themselves. */
  readonly timeoutMs: number | "none"
  /** Text fed to stdin, or the terminal's own stdin. Default: empty. */
  readonly stdin?: string | "inherit"
  readonly stdout?: "capture" | "inherit"
  readonly stderr?: "capture" | "inherit"
  /** Called for each captured stdout/stderr line as it arrives (progress). */
  readonly onLine?: (line: string, stream: "stdout" | "stderr") => Effect.Effect<void>
  /** Fail with CommandFailed on a non-zero exit code. Default true. */
  readonly check?: boolean
  /** How to tell the user to install the tool when it is missing. */
  readonly installHint?: string
}

export interface RunResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
}

export type RunError = CommandFailed | CommandTimeout | ToolNotInstalled

export interface ProcessRunnerShape {
  readonly run: (command: string, args: ReadonlyArray<string>, options: RunOptions) => Effect.Effect<RunResult, RunError>
}

/** The only way `vm` starts external programs: both pipes drained, exit code checked, timeout enforced. */
export class ProcessRunner extends Context.Tag("@vm/core/ProcessRunner")<ProcessRunner, ProcessRunnerShape>() {}

const collect = (
  stream: Stream.Stream<Uint8Array, unknown>,
  name: "stdout" | "stderr",
  onLine: RunOptions["onLine"]
) =>
  stream.pipe(
    Stream.decodeText(),
    onLine === undefined ? (s) => s : (s) =>
      s.pipe(
        Stream.splitLines,
        Stream.tap((line) => onLine(line, name)),
        Stream.map((line) => `${line}\n`)
      ),
    Stream.runFold("", (acc, chunk) => acc + chunk),
    Effect.orElseSucceed(() => "")
  )

/** How long a process that outlived its caller gets after SIGTERM before its process group is SIGKILLed. */
export const TERM_GRACE_MS = 1500

/**
 * Ends a process the caller no longer waits for (timeout, interruption): SIGTERM to its process
 * group, then SIGKILL after TERM_GRACE_MS, so a child that ignores SIGTERM (a wedged vagrant or
 * VBoxManage) cannot keep the caller waiting.
 */
const terminate = (proc: CommandExecutor.Process) =>
  Effect.gen(function*() {
    const running = () => proc.isRunning.pipe(Effect.orElseSucceed(() => false))
    if (!(yield* running())) return
    // finalizers run uninterruptibly: the waits inside kill must be made interruptible for the timeouts to work
    yield* Effect.interruptible(proc.kill("SIGTERM")).pipe(Effect.timeout(TERM_GRACE_MS), Effect.ignore)
    if (!(yield* running())) return
    yield* Effect.interruptible(proc.kill("SIGKILL")).pipe(Effect.timeout(5000), Effect.ignore)
  })

export const ProcessRunnerLive = Layer.effect(
  ProcessRunner,
  Effect.gen(function*() {
    const executor = yield* CommandExecutor.CommandExecutor
    const run: ProcessRunnerShape["run"] = (command, args, options) => {
      const argv = [command, ...args]
      let cmd = Command.make(command, ...args).pipe(
        Command.env(options.env ?? {}),
        Command.stdout(options.stdout === "inherit" ? "inherit" : "pipe"),
        Command.stderr(options.stderr === "inherit" ? "inherit" : "pipe")
      )
      if (options.cwd !== undefined) cmd = Command.workingDirectory(cmd, options.cwd)
      if (options.stdin === "inherit") cmd = Command.stdin(cmd, "inherit")
      else cmd = Command.feed(cmd, options.stdin ?? "")
      const started = Date.now()
      const once = Effect.scoped(
        Effect.gen(function*() {
          const proc = yield* executor.start(cmd)
          // runs before the executor's own finalizer, which sends SIGTERM and waits for ever
          yield* Effect.addFinalizer(() => terminate(proc))
          const [stdout, stderr, code] = yield* Effect.all([
            options.stdout === "inherit" ? Effect.succeed("") : collect(proc.stdout, "stdout", options.onLine),
            options.stderr === "inherit" ? Effect.succeed("") : collect(proc.stderr, "stderr", options.onLine),
            proc.exitCode
          ], { concurrency: "unbounded" })
          return { exitCode: Number(code), stdout, stderr, durationMs: Date.now() - started } satisfies RunResult
        })
      ).pipe(
        Effect.catchTags({
          SystemError: (e) =>
            e.reason === "NotFound"
              ? Effect.fail(new ToolNotInstalled({ tool: command, hint: options.installHint ?? "install it and retry" }))
              : Effect.fail(new CommandFailed({ command: argv, exitCode: -1, stderrTail: e.message })),
          BadArgument: (e) => Effect.fail(new CommandFailed({ command: argv, exitCode: -1, stderrTail: e.message }))
        })
      )
      const bounded = options.timeoutMs === "none" ? once : once.pipe(
        Effect.timeoutFail({
          duration: options.timeoutMs,
          onTimeout: () => new CommandTimeout({ command: argv, timeoutMs: options.timeoutMs as number })
        })
      )
      return bounded.pipe(
        Effect.flatMap((result) =>
          result.exitCode !== 0 && options.check !== false
            ? Effect.fail(
              new CommandFailed({ command: argv, exitCode: result.exitCode, stderrTail: tail(result.stderr || result.stdout) })
            )
            : Effect.succeed(result)
        )
      )
    }
    return ProcessRunner.of({ run })
  })
)

export interface RecordedCall {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly options: RunOptions
}

export type FakeHandler = (call: RecordedCall) => Effect.Effect<Partial<RunResult> | undefined, RunError>

/**
 * A scripted runner: `handler` answers each call (undefined = not scripted → defect), every call is recorded.
 * Exit codes are checked exactly as the live runner does.
 */
export const ProcessRunnerTest = (handler: FakeHandler) =>
  Layer.effect(
    ProcessRunner,
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<RecordedCall>>([])
      const run: ProcessRunnerShape["run"] = (command, args, options) =>
        Effect.gen(function*() {
          const call = { command, args: [...args], options }
          yield* Ref.update(calls, (all) => [...all, call])
          const answer = yield* handler(call)
          if (answer === undefined) return yield* Effect.dieMessage(`unscripted call: ${command} ${args.join(" ")}`)
          const result: RunResult = { exitCode: 0, stdout: "", stderr: "", durationMs: 0, ...answer }
          if (options.onLine) {
            for (const line of result.stdout.split("\n").filter((l) => l !== "")) yield* options.onLine(line, "stdout")
          }
          if (result.exitCode !== 0 && options.check !== false) {
            return yield* new CommandFailed({
              command: [command, ...args],
              exitCode: result.exitCode,
              stderrTail: tail(result.stderr || result.stdout)
            })
          }
          return result
        })
      return Object.assign(ProcessRunner.of({ run }), { calls: Ref.get(calls) })
    })
  )

/** Reads the calls a ProcessRunnerTest layer recorded. */
export const recordedCalls = Effect.flatMap(ProcessRunner, (runner) =>
  "calls" in runner
    ? (runner as unknown as { calls: Effect.Effect<ReadonlyArray<RecordedCall>> }).calls
    : Effect.succeed<ReadonlyArray<RecordedCall>>([]))
