import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"
import { jsonOption } from "./options.js"

export const doctor = Command.make(
  "doctor",
  {
    json: jsonOption,
    timeout: Options.integer("timeout").pipe(
      Options.withDescription("Seconds each check may take; a tool that takes longer is a failed check"),
      Options.withDefault(15)
    )
  },
  (args) => lazily(() => import("../run/doctor.js"), (m) => m.doctor(args))
).pipe(
  Command.withDescription(
    "Check what vm needs on this host (Vagrant, the provider's tools, plugins, box or image, ssh, disk) and how to fix it"
  )
)
