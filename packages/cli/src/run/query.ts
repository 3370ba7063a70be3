import { InvalidInput } from "@vm/core/errors"
import { Lifecycle } from "@vm/core/Lifecycle"
import { ProjectContext } from "@vm/core/ProjectContext"
import { VagrantProjectTag } from "@vm/vagrant/project/VagrantProject"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { resolveName, withProject } from "../project.js"
import { renderDashboard } from "../statusDashboard.js"
import { renderStatusTable } from "../statusTable.js"
import { type FullStatusReport, neverFailing, printStatus, reportBoundMs, statusReport, uncollectedReport } from "./statusReport.js"
import { printOnce, rememberingNames, type StatusArgs, type StatusView, watchStatus } from "./statusView.js"

const pad = (s: string, n: number) => s.padEnd(n)

export const list = ({ json }: { readonly json: boolean }) =>
  withProject(Effect.gen(function*() {
    const machines = yield* (yield* Lifecycle).list
    if (json) return yield* Console.log(JSON.stringify(machines, null, 2))
    if (machines.length === 0) return yield* Console.log("no machines (create one with `vm create`)")
    yield* Console.log(`${pad("NAME", 16)}${pad("STATE", 14)}${pad("PROVIDER", 16)}ID`)
    for (const m of machines) {
      yield* Console.log(`${pad(m.name, 16)}${pad(m.state, 14)}${pad(m.provider, 16)}${m.id?.slice(0, 12) ?? "-"}`)
    }
  }))

export const status = ({ all, fresh, json, name, watch }: StatusArgs) =>
  withProject(Effect.gen(function*() {
    if (all && Option.isSome(name)) {
      return yield* new InvalidInput({ what: "vm status", reason: `give a machine ('${name.value}') or --all, not both` })
    }
    if (!all && Option.isNone(watch)) {
      const report = yield* statusReport(yield* resolveName(name), { fresh })
      return yield* json ? Console.log(JSON.stringify(report, null, 2)) : printStatus(report)
    }
    const project = yield* VagrantProjectTag
    const names = all
      ? Effect.map(project.readState, (s) => Object.keys(s.instances))
      : Effect.succeed([yield* resolveName(name)])
    const view = yield* projectStatusView(names, { fresh: fresh || Option.isSome(watch), table: all })
    return yield* Option.isSome(watch) ? watchStatus(view, watch.value, json) : printOnce(view, json)
  }))

/** `vm status --all` / `--watch`: the named machines' reports, queried in parallel. */
const projectStatusView = <E, R>(
  names: Effect.Effect<ReadonlyArray<string>, E, R>,
  options: { readonly fresh: boolean; readonly table: boolean }
) =>
  Effect.gen(function*() {
    const project = yield* VagrantProjectTag
    const bound = reportBoundMs(yield* ProjectContext)
    const current = yield* rememberingNames(names)
    return {
      collect: Effect.flatMap(current, (list) =>
        Effect.forEach(
          list,
          (name) =>
            neverFailing(
              statusReport(name, { fresh: options.fresh }),
              bound,
              (state, reason) => uncollectedReport({ name, provider: project.provider }, state, reason, new Date())
            ),
          { concurrency: "unbounded" }
        )),
      render: (reports, { color, now }) =>
        !options.table
          ? reports.map((r) => renderDashboard(r, { color, now })).join("\n")
          : reports.length === 0
          ? "no machines (create one with `vm create`)"
          : renderStatusTable(reports, { color, now }),
      json: (report) => report
    } satisfies StatusView<FullStatusReport, E, unknown>
  })
