import { ForceKill, KILL_BUDGET_MS, type KillReport, type KillStepReport } from "@vm/core/ForceKill"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { resolveName, withProject } from "../project.js"

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const describeStep = (s: KillStepReport): string => {
  const detail = s.error === undefined ? "" : `: ${s.error}`
  switch (s.outcome) {
    case "stopped":
      return `stopped the machine in ${seconds(s.durationMs)}`
    case "timeout":
      return `timed out after ${seconds(s.durationMs)}`
    case "not-stopped":
      return `ran, but the machine still ran after ${seconds(s.durationMs)}${detail}`
    case "failed":
      return `failed after ${seconds(s.durationMs)}${detail}`
    case "skipped":
      return `skipped${detail}`
  }
}

/** The human form of a kill report: which step stopped the machine and how long it took, then each step tried. */
export const renderKillReport = (report: KillReport): ReadonlyArray<string> => {
  if (report.step === "already-off") return [`${report.name}: already off, nothing to kill (${report.provider})`]
  const winner = report.stepsTried.find((s) => s.outcome === "stopped")
  return [
    `${report.name}: powered off by \`${winner?.command ?? report.step}\` in ${seconds(report.durationMs)} (${report.provider})`,
    ...report.stepsTried.map((s) => `  ${s.command}: ${describeStep(s)}`)
  ]
}

/** Prints a kill report: JSON on stdout, or the human lines on stdout and warnings on stderr. Shared with `vm temp kill`. */
export const printKillReport = (report: KillReport, json: boolean) =>
  Effect.gen(function*() {
    if (json) return yield* Console.log(JSON.stringify(report, null, 2))
    for (const line of renderKillReport(report)) yield* Console.log(line)
    for (const warning of report.warnings) yield* Console.error(`warning: ${warning}`)
  })

/** Time the process needs after the report to print and exit. */
const EXIT_MARGIN_MS = 150
/** Even after a very slow start the ladder gets this long. */
const MIN_BUDGET_MS = 2500

/** The user waits from the moment they started `vm`: the ladder gets what is left of the 5 s. */
export const budgetSinceProcessStart = () =>
  Math.max(MIN_BUDGET_MS, Math.round(KILL_BUDGET_MS - process.uptime() * 1000 - EXIT_MARGIN_MS))

export const kill = ({ json, name }: { readonly name: Option.Option<string>; readonly json: boolean }) =>
  withProject(Effect.gen(function*() {
    const instance = yield* resolveName(name)
    const report = yield* (yield* ForceKill).kill(instance, { budgetMs: budgetSinceProcessStart() })
    yield* printKillReport(report, json)
  }))
