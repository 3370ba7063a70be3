import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { noResources, StatusReporter } from "@vm/core/StatusReport"
import { timeoutsFor } from "@vm/vagrant/project/timeouts"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { type DashboardCommands, renderDashboard, useColor } from "../statusDashboard.js"
import { configDrift, driftHint } from "./drift.js"

/**
 * What `vm status` reports about one machine — live resources and services from the StatusReporter,
 * plus config drift as a notice; `vm temp status` shows the same for a temp VM.
 */
export const statusReport = (instance: string, options: { readonly fresh: boolean; readonly commands?: DashboardCommands }) =>
  Effect.gen(function*() {
    const collected = yield* (yield* StatusReporter).report(instance, { fresh: options.fresh })
    const info = { ...collected, id: collected.machineId }
    const drift = yield* configDrift(info)
    const hint = driftHint(info, drift, options.commands)
    // `id` as in `vm list --json`, so scripts can use one field for both
    return { ...collected, id: collected.machineId, notices: hint ? [...collected.notices, hint] : collected.notices, ...drift }
  })

export type FullStatusReport = Effect.Effect.Success<ReturnType<typeof statusReport>>

/** The dashboard on stdout (colours only on a terminal without NO_COLOR). */
export const printStatus = (report: FullStatusReport, commands?: DashboardCommands) =>
  Console.log(renderDashboard(report, { color: useColor(), ...(commands ? { commands } : {}) }))

/** The machine a report is about, for the report that says it could not be collected. */
export interface ReportSubject {
  readonly name: string
  readonly provider: string
}

/**
 * The report of a machine nothing could be collected about: `missing` when it is no longer there
 * (destroyed since the last frame), else `unknown`; `reason` is its one error line.
 */
export const uncollectedReport = (
  subject: ReportSubject,
  state: "missing" | "unknown",
  reason: string,
  at: Date
): FullStatusReport => ({
  name: subject.name,
  machine: subject.name,
  provider: subject.provider,
  machineId: null,
  id: null,
  state,
  rawState: state === "missing" ? "not_created" : "unknown",
  isRunning: false,
  uptimeSeconds: null,
  resources: noResources,
  services: [],
  errors: [reason],
  notices: [],
  stale: false,
  collectedAt: at.toISOString(),
  configChanged: false,
  drift: null
})

/**
 * How long one machine's report may take in `--all` and `--watch`: the reporter bounds each of its
 * steps (state query, ssh-config, the ssh round trip); this bounds anything else, so a frame always ends.
 */
export const reportBoundMs = (ctx: Pick<ProjectContextShape, "global">): number => {
  const t = timeoutsFor(ctx)
  return 2 * t.statusMs + t.sshMs + 5000
}

const GONE = new Set(["VmNotFound", "TempVmNotFound"])

/**
 * `effect`, bounded by `boundMs`, that never fails: a machine that is gone (`missing`), unreadable or
 * not answering (`unknown`) becomes what `onFailure` makes of it, with the reason in one line.
 */
export const neverFailing = <A, E extends { readonly _tag: string; readonly message: string }, R>(
  effect: Effect.Effect<A, E, R>,
  boundMs: number,
  onFailure: (state: "missing" | "unknown", reason: string) => A
): Effect.Effect<A, never, R> =>
  effect.pipe(
    Effect.timeoutFail({
      duration: boundMs,
      onTimeout: () => ({ _tag: "Timeout", message: `no status within ${boundMs / 1000} s` })
    }),
    Effect.catchAll((e) => Effect.sync(() => onFailure(GONE.has(e._tag) ? "missing" : "unknown", e.message)))
  )
