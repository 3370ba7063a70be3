import { Args, Command, Options } from "@effect/cli"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Effect } from "effect"
import { GuestExit } from "../GuestExit.js"
import { resolveName } from "../project.js"
import { nameArg } from "./lifecycle.js"
import { withProject } from "./root.js"

export const exec = Command.make(
  "exec",
  {
    instance: Options.text("instance").pipe(Options.withAlias("i"), Options.withDescription("Instance name"), Options.optional),
    command: Args.text({ name: "command" }).pipe(Args.repeated)
  },
  ({ command, instance }) =>
    withProject(Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const name = yield* resolveName(instance)
      const result = yield* lifecycle.exec(name, command, { output: "inherit" })
      if (result.exitCode !== 0) return yield* new GuestExit({ code: result.exitCode })
    }))
).pipe(Command.withDescription("Run a command in the workspace: vm exec [-i NAME] -- CMD ARGS..."))

export const ssh = Command.make(
  "ssh",
  {
    name: nameArg,
    path: Options.text("path").pipe(Options.withDescription("Directory relative to the workspace"), Options.optional)
  },
  ({ name, path }) =>
    withProject(Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const instance = yield* resolveName(name)
      const code = yield* lifecycle.ssh(instance, path._tag === "Some" ? { path: path.value } : {})
      if (code !== 0) return yield* new GuestExit({ code })
    }))
).pipe(Command.withDescription("Open a shell in the machine"))

export const logs = Command.make(
  "logs",
  {
    name: nameArg,
    follow: Options.boolean("follow").pipe(Options.withAlias("f"), Options.withDescription("Keep printing new lines")),
    tail: Options.integer("tail").pipe(Options.withAlias("n"), Options.withDefault(100), Options.withDescription("Lines"))
  },
  ({ follow, name, tail }) =>
    withProject(Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const instance = yield* resolveName(name)
      yield* lifecycle.logs(instance, { follow, tail })
    }))
).pipe(Command.withDescription("Show the machine's logs"))
