import { Command, Options } from "@effect/cli"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Console, Effect } from "effect"
import { resolveName } from "../project.js"
import { nameArg } from "./lifecycle.js"
import { withProject } from "./root.js"
import { printStatus, statusReport } from "./statusReport.js"

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
      const report = yield* statusReport(instance, { fresh })
      yield* json ? Console.log(JSON.stringify(report, null, 2)) : printStatus(report)
    }))
).pipe(Command.withDescription("Show a machine's state, resources, services and uptime"))
