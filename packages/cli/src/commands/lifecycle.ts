import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { DEFAULT_INSTANCE } from "@vm/core/instanceName"
import { lazily } from "../lazy.js"
import { nameArg } from "./options.js"

const run = () => import("../run/lifecycle.js")

export const start = Command.make("start", { name: nameArg }, (args) => lazily(run, (m) => m.applying("start")(args))).pipe(
  Command.withDescription("Start a machine, applying the current config (vm.yaml and ~/.vm/config.yaml)")
)

export const stop = Command.make("stop", { name: nameArg }, (args) => lazily(run, (m) => m.stop(args))).pipe(
  Command.withDescription("Stop a machine gracefully")
)

export const restart = Command.make("restart", { name: nameArg }, (args) => lazily(run, (m) => m.applying("restart")(args))).pipe(
  Command.withDescription(
    "Restart a machine, applying the current config (by reload; by recreating it when the provider cannot reload the change)"
  )
)

export const create = Command.make(
  "create",
  {
    instance: Options.text("instance").pipe(
      Options.withAlias("i"),
      Options.withDescription("Name of the new instance (default: dev)"),
      Options.withDefault(DEFAULT_INSTANCE)
    ),
    force: Options.boolean("force").pipe(Options.withDescription("Destroy and recreate an existing machine"))
  },
  (args) => lazily(run, (m) => m.create(args))
).pipe(Command.withDescription("Create and boot a machine from vm.yaml"))

export const destroy = Command.make(
  "destroy",
  { name: nameArg, force: Options.boolean("force").pipe(Options.withAlias("f"), Options.withDescription("Do not ask")) },
  (args) => lazily(run, (m) => m.destroy(args))
).pipe(Command.withDescription("Destroy a machine and its disk"))

export const provision = Command.make("provision", { name: nameArg }, (args) => lazily(run, (m) => m.provision(args))).pipe(
  Command.withDescription("Run the provisioners again")
)
