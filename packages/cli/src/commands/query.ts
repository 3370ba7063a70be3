import * as Command from "@effect/cli/Command"
import { lazily } from "../lazy.js"
import { jsonOption, nameArg } from "./options.js"
import { allOption, freshOption, watchOption } from "./statusOptions.js"

const run = () => import("../run/query.js")

export const list = Command.make("list", { json: jsonOption }, (args) => lazily(run, (m) => m.list(args))).pipe(
  Command.withDescription("List the project's machines")
)

export const status = Command.make(
  "status",
  { name: nameArg, json: jsonOption, fresh: freshOption, all: allOption, watch: watchOption },
  (args) => lazily(run, (m) => m.status(args))
).pipe(Command.withDescription("Show a machine's state, resources, services and uptime (--all: every machine; --watch: live)"))
