import { Lifecycle } from "@vm/core/Lifecycle"
import type { MachineInfo } from "@vm/core/model"
import { Console, Effect } from "effect"
import { configDrift, type DriftReport, driftHint } from "./drift.js"

export interface StatusReport extends MachineInfo, DriftReport {
  readonly isRunning: boolean
}

/** What `vm status` reports about one machine; `vm temp status` shows the same for a temp VM. */
export const statusReport = (instance: string) =>
  Effect.gen(function*() {
    const info = yield* (yield* Lifecycle).state(instance)
    const drift = yield* configDrift(info)
    return { ...info, isRunning: info.state === "running", ...drift } satisfies StatusReport
  })

export interface StatusCommands {
  /** How to reach / start this machine, e.g. `vm ssh dev`. */
  readonly connect: string
  readonly start: string
  /** How to apply a changed config; default `vm restart [NAME]`. */
  readonly restart?: string
}

/** The human-readable report. */
export const printStatus = (report: StatusReport, commands: StatusCommands) =>
  Effect.gen(function*() {
    yield* Console.log(`${report.name} (${report.provider})`)
    yield* Console.log(`  state: ${report.state}${report.rawState !== report.state ? ` (${report.rawState})` : ""}`)
    if (report.id) yield* Console.log(`  id:    ${report.id.slice(0, 12)}`)
    yield* Console.log(report.isRunning ? `  connect: ${commands.connect}` : `  start: ${commands.start}`)
    const hint = driftHint(report, report, commands.restart === undefined ? undefined : { restart: commands.restart, start: commands.start })
    if (hint !== undefined) yield* Console.log(`  ${hint}`)
  })
