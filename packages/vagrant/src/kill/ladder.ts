import { CommandTimeout, type KillOutcome, type KillStep, type KillStepReport, type VmError } from "@vm/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

/** One rung of the kill ladder. */
export interface Rung {
  readonly step: KillStep
  /** Readable command for the report. */
  readonly command: string
  /** Longest the command may run. */
  readonly capMs: number
  /** Time kept free for this rung while the rungs before it run. */
  readonly reserveMs: number
  /** Longest the check afterwards may poll (default VERIFY_CAP_MS). */
  readonly verifyCapMs?: number
  readonly run: (timeoutMs: number) => Effect.Effect<unknown, VmError>
  /** Whether the machine is off now, polling within `windowMs`; `detail` says why not. */
  readonly verify: (windowMs: number) => Effect.Effect<Verdict>
}

export interface Verdict {
  readonly off: boolean
  readonly detail?: string
}

export interface LadderResult {
  readonly stoppedBy: KillStep | undefined
  readonly steps: ReadonlyArray<KillStepReport>
}

/** A verification gets at least this long, even out of later rungs' reserve: a stop nobody checked is worth little. */
export const VERIFY_MIN_MS = 300
export const VERIFY_CAP_MS = 1000
/** Below this a command cannot even start meaningfully. */
const MIN_STEP_MS = 100
export const POLL_INTERVAL_MS = 150
/** One state query after a rung that failed or timed out (short of a second poll). */
export const CONFIRM_MS = 200

/**
 * Bounds `effect` by `timeoutMs` and returns at the deadline even when the interrupted work takes
 * longer to wind down (a child that ignores SIGTERM): the cleanup finishes in the background.
 */
export const bounded = <A>(effect: Effect.Effect<A, VmError>, timeoutMs: number, command: ReadonlyArray<string>) =>
  effect.pipe(
    Effect.disconnect,
    Effect.timeoutFail({ duration: Duration.millis(timeoutMs), onTimeout: () => new CommandTimeout({ command, timeoutMs }) })
  )

const LOCKED = /another process is already executing an action on the machine/i

/** One line for the report: what went wrong, in the user's terms. */
export const describeError = (e: VmError): string => {
  if (e._tag === "CommandTimeout") return `timed out after ${(e.timeoutMs / 1000).toFixed(1)} s`
  if (e._tag === "CommandFailed" && LOCKED.test(e.stderrTail)) {
    return "another Vagrant process holds this machine's lock (MachineActionLockedError)"
  }
  const text = e._tag === "CommandFailed" ? (e.stderrTail.trim() || e.message) : e.message
  const first = text.split("\n").map((l) => l.trim()).find((l) => l !== "" && l !== "…") ?? text
  return first.length > 200 ? `${first.slice(0, 200)}…` : first
}

/**
 * Polls `query` until `isOff` holds or `windowMs` is used up; every query is bounded by what is left.
 * A failing query counts as "not verified" (the machine may well still run).
 */
export const pollOff = <E extends VmError>(
  query: (timeoutMs: number) => Effect.Effect<string, E>,
  isOff: (raw: string) => boolean,
  windowMs: number
): Effect.Effect<Verdict> =>
  Effect.gen(function*() {
    const deadline = (yield* Clock.currentTimeMillis) + windowMs
    let detail = "no time left to check"
    while (true) {
      const left = deadline - (yield* Clock.currentTimeMillis)
      if (left < MIN_STEP_MS) return { off: false, detail }
      const result = yield* Effect.either(bounded(query(left), left, ["state query"]))
      if (Either.isRight(result)) {
        if (isOff(result.right)) return { off: true }
        detail = `still ${result.right}`
      } else {
        detail = `state check failed: ${describeError(result.left)}`
      }
      if (deadline - (yield* Clock.currentTimeMillis) < POLL_INTERVAL_MS + MIN_STEP_MS) return { off: false, detail }
      yield* Effect.sleep(Duration.millis(POLL_INTERVAL_MS))
    }
  })

export interface LadderOptions {
  /** Called as each rung starts (progress). */
  readonly onStep?: (rung: Rung) => Effect.Effect<void>
  /**
   * Checks the machine's state after a rung whose command failed or timed out: the stop may have
   * finished anyway (libvirtd completes a `virsh destroy` its client gave up on).
   */
  readonly confirmOff?: ((windowMs: number) => Effect.Effect<Verdict>) | undefined
  /** Time kept free for rungs that run after this ladder (a ladder run in two parts). */
  readonly reservedAfterMs?: number
}

/**
 * Runs the rungs in order until one leaves the machine verified off, all within `deadline`
 * (epoch ms). Each rung's command gets min(its cap, what is left minus what later rungs reserve).
 */
export const runLadder = (
  rungs: ReadonlyArray<Rung>,
  deadline: number,
  { confirmOff, onStep = () => Effect.void, reservedAfterMs = 0 }: LadderOptions = {}
): Effect.Effect<LadderResult> =>
  Effect.gen(function*() {
    const steps: Array<KillStepReport> = []
    for (const [i, rung] of rungs.entries()) {
      const laterReserve = rungs.slice(i + 1).reduce((sum, r) => sum + r.reserveMs, reservedAfterMs)
      const started = yield* Clock.currentTimeMillis
      const report = (outcome: KillOutcome, error?: string) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          steps.push({
            step: rung.step,
            command: rung.command,
            outcome,
            durationMs: now - started,
            ...(error === undefined ? {} : { error })
          })
        })
      // keep time for the one check after a command that may have worked although it did not answer
      const timeoutMs = Math.min(rung.capMs, deadline - started - laterReserve - (confirmOff === undefined ? 0 : CONFIRM_MS))
      if (timeoutMs < MIN_STEP_MS) {
        yield* report("skipped", "no time left within the kill budget")
        continue
      }
      yield* onStep(rung)
      const ran = yield* Effect.either(bounded(rung.run(timeoutMs), timeoutMs, [rung.command]))
      if (Either.isLeft(ran)) {
        const outcome = ran.left._tag === "CommandTimeout" ? "timeout" : "failed"
        const afterFailure = deadline - (yield* Clock.currentTimeMillis) - laterReserve
        // a refusal changed nothing; a command cut off by its timeout, or a process already gone, may have
        const mayHaveWorked = ran.left._tag === "CommandTimeout" || ran.left._tag === "ProcessNotFound"
        if (confirmOff !== undefined && mayHaveWorked && afterFailure >= MIN_STEP_MS) {
          const verdict = yield* confirmOff(Math.min(CONFIRM_MS, afterFailure))
          if (verdict.off) {
            yield* report("stopped", `${outcome}: ${describeError(ran.left)}; the machine went off all the same`)
            return { stoppedBy: rung.step, steps }
          }
        }
        yield* report(outcome, describeError(ran.left))
        continue
      }
      const now = yield* Clock.currentTimeMillis
      const window = Math.min(rung.verifyCapMs ?? VERIFY_CAP_MS, Math.max(VERIFY_MIN_MS, deadline - now - laterReserve), deadline - now)
      const verdict = yield* rung.verify(window)
      if (verdict.off) {
        yield* report("stopped")
        return { stoppedBy: rung.step, steps }
      }
      yield* report("not-stopped", verdict.detail)
    }
    return { stoppedBy: undefined, steps }
  })
