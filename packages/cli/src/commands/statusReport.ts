import { Lifecycle } from "@vm/core/Lifecycle"
import type { MachineInfo } from "@vm/core/model"
import { Console, Effect } from "effect"

export interface StatusReport extends MachineInfo {
  readonly isRunning: boolean
}

/** What `vm status` reports about one machine; `vm temp status` shows the same for a temp VM. */
export const statusReport = (instance: string) =>
  Effect.flatMap(Lifecycle, (lifecycle) => lifecycle.state(instance)).pipe(
    Effect.map((info): StatusReport => ({ ...info, isRunning: info.state === "running" }))
  )

/** The human-readable report; `connect`/`start` name the command that reaches this machine. */
export const printStatus = (report: StatusReport, commands: { readonly connect: string; readonly start: string }) =>
  Effect.gen(function*() {
    yield* Console.log(`${report.name} (${report.provider})`)
    yield* Console.log(`  state: ${report.state}${report.rawState !== report.state ? ` (${report.rawState})` : ""}`)
    if (report.id) yield* Console.log(`  id:    ${report.id.slice(0, 12)}`)
    yield* Console.log(report.isRunning ? `  connect: ${commands.connect}` : `  start: ${commands.start}`)
  })
