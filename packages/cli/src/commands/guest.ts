import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { lazily } from "../lazy.js"
import { nameArg } from "./options.js"

const run = () => import("../run/guest.js")

export const exec = Command.make(
  "exec",
  {
    instance: Options.text("instance").pipe(Options.withAlias("i"), Options.withDescription("Instance name"), Options.optional),
    command: Args.text({ name: "command" }).pipe(Args.repeated)
  },
  (args) => lazily(run, (m) => m.exec(args))
).pipe(Command.withDescription("Run a command in the workspace: vm exec [-i NAME] -- CMD ARGS..."))

export const ssh = Command.make(
  "ssh",
  {
    name: nameArg,
    path: Options.text("path").pipe(Options.withDescription("Directory relative to the workspace"), Options.optional)
  },
  (args) => lazily(run, (m) => m.ssh(args))
).pipe(Command.withDescription("Open a shell in the machine"))

export const logs = Command.make(
  "logs",
  {
    name: nameArg,
    follow: Options.boolean("follow").pipe(Options.withAlias("f"), Options.withDescription("Keep printing new lines")),
    tail: Options.integer("tail").pipe(Options.withAlias("n"), Options.withDefault(100), Options.withDescription("Lines"))
  },
  (args) => lazily(run, (m) => m.logs(args))
).pipe(Command.withDescription("Show the machine's logs"))
