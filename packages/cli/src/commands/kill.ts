import * as Command from "@effect/cli/Command"
import { lazily } from "../lazy.js"
import { jsonOption, nameArg } from "./options.js"

export const kill = Command.make("kill", { name: nameArg, json: jsonOption }, (args) =>
  lazily(() => import("../run/kill.js"), (m) => m.kill(args))).pipe(
    Command.withDescription(
      "Power a hung machine off within 5 s without destroying it (disk and workspace survive; `vm start` boots it again)"
    )
  )
