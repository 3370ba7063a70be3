import { StatusReporter } from "@vm/core/StatusReport"
import { Console, Effect } from "effect"
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
