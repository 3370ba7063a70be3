import { Args, Command, Options, Prompt } from "@effect/cli"
import { ContextualLifecycle } from "@vm/core/ContextualLifecycle"
import { Cancelled } from "@vm/core/errors"
import { DEFAULT_INSTANCE } from "@vm/core/instances"
import { Lifecycle } from "@vm/core/Lifecycle"
import type { MachineInfo } from "@vm/core/model"
import { ProjectContext } from "@vm/core/ProjectContext"
import { Console, Effect } from "effect"
import { resolveName } from "../project.js"
import { withProject } from "./root.js"

export const nameArg = Args.text({ name: "name" }).pipe(
  Args.withDescription("Instance name or a unique prefix (default: the only/`dev` instance)"),
  Args.optional
)

export const describe = (info: MachineInfo) =>
  `${info.name}: ${info.state}${info.rawState !== info.state ? ` (${info.rawState})` : ""} [${info.provider}]`

const simple = (
  verb: string,
  description: string,
  action: (lifecycle: Lifecycle["Type"], name: string) => Effect.Effect<MachineInfo, any>
) =>
  Command.make(verb, { name: nameArg }, ({ name }) =>
    withProject(Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const instance = yield* resolveName(name)
      const info = yield* action(lifecycle, instance)
      yield* Console.log(describe(info))
    }))).pipe(Command.withDescription(description))

/** start/restart through ContextualLifecycle with the context loaded from vm.yaml and ~/.vm/config.yaml. */
const applying = (verb: "start" | "restart", description: string) =>
  Command.make(verb, { name: nameArg }, ({ name }) =>
    withProject(Effect.gen(function*() {
      const contextual = yield* ContextualLifecycle
      const context = yield* ProjectContext
      const instance = yield* resolveName(name)
      const applied = verb === "start"
        ? yield* contextual.startWithContext(instance, context)
        : yield* contextual.restartWithContext(instance, context)
      yield* Console.log(describe(applied.machine))
    }))).pipe(Command.withDescription(description))

export const start = applying("start", "Start a machine, applying the current config (vm.yaml and ~/.vm/config.yaml)")
export const stop = simple("stop", "Stop a machine gracefully", (l, n) => l.stop(n))
export const restart = applying(
  "restart",
  "Restart a machine, applying the current config (by reload; by recreating it when the provider cannot reload the change)"
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
  ({ force, instance }) =>
    withProject(Effect.gen(function*() {
      const contextual = yield* ContextualLifecycle
      const info = yield* contextual.createWithContext(instance, { force }, yield* ProjectContext)
      yield* Console.log(describe(info))
    }))
).pipe(Command.withDescription("Create and boot a machine from vm.yaml"))

export const destroy = Command.make(
  "destroy",
  { name: nameArg, force: Options.boolean("force").pipe(Options.withAlias("f"), Options.withDescription("Do not ask")) },
  ({ force, name }) =>
    withProject(Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const instance = yield* resolveName(name)
      if (!force) {
        if (!process.stdin.isTTY) {
          return yield* new Cancelled({ reason: `refusing to destroy '${instance}' without --force (no terminal to confirm)` })
        }
        const ok = yield* Prompt.confirm({ message: `Destroy '${instance}' and everything inside it?`, initial: false })
        if (!ok) return yield* new Cancelled({ reason: "destroy cancelled" })
      }
      yield* lifecycle.destroy(instance)
      yield* Console.log(`${instance}: destroyed`)
    }))
).pipe(Command.withDescription("Destroy a machine and its disk"))

export const provision = Command.make("provision", { name: nameArg }, ({ name }) =>
  withProject(Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const instance = yield* resolveName(name)
    yield* lifecycle.provision(instance)
    yield* Console.log(`${instance}: provisioned`)
  }))).pipe(Command.withDescription("Run the provisioners again"))
