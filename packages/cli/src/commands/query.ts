import { Command, Options } from "@effect/cli"
import { Lifecycle } from "@vm/core/Lifecycle"
import { StatusReporter } from "@vm/core/StatusReport"
import { Console, Effect } from "effect"
import { resolveName } from "../project.js"
import { renderDashboard, useColor } from "../statusDashboard.js"
import { configDrift, driftHint } from "./drift.js"
import { nameArg } from "./lifecycle.js"
import { withProject } from "./root.js"

export const jsonOption = Options.boolean("json").pipe(Options.withDescription("Print JSON"))

const pad = (s: string, n: number) => s.padEnd(n)

export const list = Command.make("list", { json: jsonOption }, ({ json }) =>
  withProject(Effect.gen(function*() {
    const machines = yield* (yield* Lifecycle).list
    if (json) return yield* Console.log(JSON.stringify(machines, null, 2))
    if (machines.length === 0) return yield* Console.log("no machines (create one with `vm create`)")
    yield* Console.log(`${pad("NAME", 16)}${pad("STATE", 14)}${pad("PROVIDER", 16)}ID`)
    for (const m of machines) {
      yield* Console.log(`${pad(m.name, 16)}${pad(m.state, 14)}${pad(m.provider, 16)}${m.id?.slice(0, 12) ?? "-"}`)
    }
  }))).pipe(Command.withDescription("List the project's machines"))

export const status = Command.make(
  "status",
  {
    name: nameArg,
    json: jsonOption,
    fresh: Options.boolean("fresh").pipe(Options.withDescription("Collect live values (skip the few-second report cache)"))
  },
  ({ fresh, json, name }) =>
    withProject(Effect.gen(function*() {
      const instance = yield* resolveName(name)
      const collected = yield* (yield* StatusReporter).report(instance, { fresh })
      const info = { ...collected, id: collected.machineId }
      const drift = yield* configDrift(info)
      const hint = driftHint(info, drift)
      const report = { ...collected, notices: hint ? [...collected.notices, hint] : collected.notices, ...drift }
      yield* Console.log(json ? JSON.stringify(report, null, 2) : renderDashboard(report, { color: useColor() }))
    }))
).pipe(Command.withDescription("Show a machine's state, resources, services and uptime"))
