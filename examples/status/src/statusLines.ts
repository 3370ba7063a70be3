import { Lifecycle, type StatusReport, StatusReporter, type VmError } from "@vm/core"
import { Effect } from "effect"

const duration = (seconds: number): string =>
  seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m` : `${Math.floor(seconds / 60)}m${seconds % 60}s`

/** `dev: running (docker), up 2m5s, cpu 1.5%, memory 120/512 MB` — or just the state when the machine does not run. */
export const statusLine = (report: StatusReport): string => {
  const { cpuPercent, memoryUsedMb, memoryLimitMb } = report.resources
  const parts = [
    `${report.name}: ${report.state} (${report.provider})`,
    ...(report.uptimeSeconds === null ? [] : [`up ${duration(Math.round(report.uptimeSeconds))}`]),
    ...(cpuPercent === null ? [] : [`cpu ${cpuPercent.toFixed(1)}%`]),
    ...(memoryUsedMb === null ? [] : [`memory ${Math.round(memoryUsedMb)}/${memoryLimitMb === null ? "?" : Math.round(memoryLimitMb)} MB`])
  ]
  return parts.join(", ")
}

/** The status line of every machine of the project (created or not), in the order `vm list` shows them. */
export const statusLines: Effect.Effect<ReadonlyArray<string>, VmError, Lifecycle | StatusReporter> = Effect.gen(function*() {
  const lifecycle = yield* Lifecycle
  const reporter = yield* StatusReporter
  const machines = yield* lifecycle.list
  return yield* Effect.forEach(machines, (machine) => Effect.map(reporter.report(machine.name), statusLine), { concurrency: 4 })
})
