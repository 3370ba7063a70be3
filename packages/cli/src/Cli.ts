import * as Command from "@effect/cli/Command"
import { doctor } from "./commands/doctor.js"
import { exec, logs, ssh } from "./commands/guest.js"
import { kill } from "./commands/kill.js"
import { create, destroy, provision, restart, start, stop } from "./commands/lifecycle.js"
import { list, status } from "./commands/query.js"
import { vm } from "./commands/root.js"
import { temp } from "./commands/temp.js"

export const VERSION = "0.1.0"

export const command = vm.pipe(
  Command.withDescription("Development VMs driven by Vagrant"),
  Command.withSubcommands([create, start, stop, restart, destroy, kill, provision, ssh, exec, logs, list, status, temp, doctor])
)

export const cli = Command.run(command, { name: "vm", version: VERSION })
