import { HomeDir, loadGlobalConfig } from "@vm/core/config/load"
import type { TempVmRecord } from "@vm/core/temp/TempVmRecord"
import { TempVms } from "@vm/core/TempVms"
import * as Effect from "effect/Effect"
import { providerFor } from "../project.js"
import { type DashboardCommands, renderDashboard } from "../statusDashboard.js"
import { renderStatusTable } from "../statusTable.js"
import { mountLines, tempDetails } from "../tempMounts.js"
import { type FullStatusReport, neverFailing, reportBoundMs, statusReport, uncollectedReport } from "./statusReport.js"
import { rememberingNames, type StatusView } from "./statusView.js"

/** The commands a temp VM's dashboard suggests. */
export const tempCommands = (name: string): DashboardCommands => ({
  connect: `vm temp ssh --name ${name}`,
  start: `vm temp start --name ${name}`,
  restart: `vm temp restart --name ${name}`
})

/** A temp VM's status report with its record; no record once the VM is gone. */
export interface TempStatus {
  readonly report: FullStatusReport
  readonly record: TempVmRecord | null
}

/**
 * `vm temp status --all` / `--watch`: the named temp VMs' reports, queried in parallel, each with
 * the provider layers of its own directory (as `vm temp status` builds them for one).
 */
export const tempStatusView = <E, R>(
  names: Effect.Effect<ReadonlyArray<string>, E, R>,
  options: { readonly fresh: boolean; readonly table: boolean }
) =>
  Effect.gen(function*() {
    const temp = yield* TempVms
    const bound = reportBoundMs({ global: (yield* loadGlobalConfig(yield* HomeDir)).config })
    const current = yield* rememberingNames(names)
    // a temp VM destroyed during a watch is still shown with its provider
    const providers = new Map<string, string>()
    const one = (name: string) =>
      neverFailing(
        Effect.gen(function*() {
          const record = yield* temp.get(name)
          providers.set(name, record.provider)
          const ctx = yield* temp.context(name)
          const report = yield* statusReport(name, { fresh: options.fresh, commands: tempCommands(name) }).pipe(
            Effect.provide(providerFor(ctx))
          )
          return { report, record } satisfies TempStatus
        }),
        bound,
        (state, reason): TempStatus => ({
          report: uncollectedReport({ name, provider: providers.get(name) ?? "unknown" }, state, reason, new Date()),
          record: null
        })
      )
    return {
      collect: Effect.flatMap(current, (list) => Effect.forEach(list, one, { concurrency: "unbounded" })),
      render: (items, { color, now }) =>
        options.table
          ? items.length === 0
            ? "no temp VMs (create one with `vm temp create [DIR...]`)"
            : renderStatusTable(items.map((i) => i.report), { color, now })
          : items.map(({ record, report }) =>
            [
              renderDashboard(report, { color, now, commands: tempCommands(report.name) }),
              ...(record === null ? [] : ["  mounts:", ...mountLines(record)])
            ].join("\n")
          ).join("\n"),
      json: ({ record, report }) => ({ ...report, temp: record === null ? null : tempDetails(record) })
    } satisfies StatusView<TempStatus, E, unknown>
  })
