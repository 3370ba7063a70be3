import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** ok: nothing to do; warn: works, but worth knowing; fail: vm cannot work until it is fixed; skip: a check it needs failed. */
export type CheckStatus = "ok" | "warn" | "fail" | "skip"

export interface CheckOutcome {
  readonly status: CheckStatus
  /** What was found, one line. */
  readonly detail: string
  /** What to do about it, one line (warn and fail). */
  readonly fix?: string
}

export interface CheckResult extends CheckOutcome {
  readonly name: string
  /** The provider the check is about; null for what every provider needs (Vagrant, ssh, disk). */
  readonly provider: string | null
  readonly durationMs: number
}

/** One thing `vm doctor` looks at. */
export interface DoctorCheck {
  readonly name: string
  readonly provider?: string
  /** Checks that must pass (ok or warn) first; when one does not, this one is skipped instead of failing for the same reason. */
  readonly after?: ReadonlyArray<string>
  /** Its errors (a tool that fails in a way the check did not expect) become `fail` with `fix`. */
  readonly run: Effect.Effect<CheckOutcome, { readonly message: string }>
  /** The fix when the check cannot answer (it errs or hangs). */
  readonly fix: string
}

export const ok = (detail: string): CheckOutcome => ({ status: "ok", detail })
export const warn = (detail: string, fix: string): CheckOutcome => ({ status: "warn", detail, fix })
export const fail = (detail: string, fix: string): CheckOutcome => ({ status: "fail", detail, fix })

/** The first non-empty line of a tool's output: what it says went wrong. */
export const firstLine = (text: string): string => text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? ""

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`

/**
 * Runs every check at once, each bounded by `timeoutMs`: a tool that hangs is a failed check, never a hung
 * `vm doctor` (the check is abandoned, its process ended in the background). Results keep the checks' order.
 */
export const runChecks = (checks: ReadonlyArray<DoctorCheck>, timeoutMs: number) =>
  Effect.gen(function*() {
    const done = new Map<string, Deferred.Deferred<CheckStatus>>()
    for (const check of checks) done.set(check.name, yield* Deferred.make<CheckStatus>())
    const one = (check: DoctorCheck) =>
      Effect.gen(function*() {
        const before = yield* Effect.forEach(check.after ?? [], (name) =>
          Option.match(Option.fromNullable(done.get(name)), {
            onNone: () => Effect.succeed<readonly [string, CheckStatus]>([name, "ok"]),
            onSome: (d) => Effect.map(Deferred.await(d), (s) => [name, s] as const)
          }))
        const blocked = before.find(([, s]) => s === "fail" || s === "skip")
        const started = Date.now()
        const outcome: CheckOutcome = blocked !== undefined
          ? { status: "skip", detail: `not checked: '${blocked[0]}' did not pass` }
          : yield* Effect.disconnect(check.run).pipe(
            Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => ({ message: `no answer within ${seconds(timeoutMs)}` }) }),
            Effect.catchAll((e) => Effect.succeed(fail(e.message.replace(/\s*\n\s*/g, " "), check.fix))),
            Effect.catchAllDefect((d) => Effect.succeed(fail(`the check itself broke: ${String(d)}`, check.fix)))
          )
        yield* Deferred.succeed(done.get(check.name)!, outcome.status)
        return { name: check.name, provider: check.provider ?? null, ...outcome, durationMs: Date.now() - started } satisfies CheckResult
      })
    return yield* Effect.forEach(checks, one, { concurrency: "unbounded" })
  })
