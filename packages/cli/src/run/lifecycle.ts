import * as Prompt from "@effect/cli/Prompt"
import { ContextualLifecycle } from "@vm/core/ContextualLifecycle"
import { Cancelled } from "@vm/core/errors"
import { Lifecycle } from "@vm/core/Lifecycle"
import type { MachineInfo } from "@vm/core/model"
import { ProjectContext } from "@vm/core/ProjectContext"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { resolveName, withProject } from "../project.js"

export const describe = (info: MachineInfo) =>
  `${info.name}: ${info.state}${info.rawState !== info.state ? ` (${info.rawState})` : ""} [${info.provider}]`

type Named = { readonly name: Option.Option<string> }

/** stop: the Lifecycle verb on the named machine, then its new state. */
export const stop = ({ name }: Named) =>
  withProject(Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const info = yield* lifecycle.stop(yield* resolveName(name))
    yield* Console.log(describe(info))
  }))

/** start/restart through ContextualLifecycle with the context loaded from vm.yaml and ~/.vm/config.yaml. */
export const applying = (verb: "start" | "restart") => ({ name }: Named) =>
  withProject(Effect.gen(function*() {
    const contextual = yield* ContextualLifecycle
    const context = yield* ProjectContext
    const instance = yield* resolveName(name)
    const applied = verb === "start"
      ? yield* contextual.startWithContext(instance, context)
      : yield* contextual.restartWithContext(instance, context)
    yield* Console.log(describe(applied.machine))
  }))

export const create = ({ force, instance }: { readonly instance: string; readonly force: boolean }) =>
  withProject(Effect.gen(function*() {
    const contextual = yield* ContextualLifecycle
    const info = yield* contextual.createWithContext(instance, { force }, yield* ProjectContext)
    yield* Console.log(describe(info))
  }))

export const destroy = ({ force, name }: Named & { readonly force: boolean }) =>
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

export const provision = ({ name }: Named) =>
  withProject(Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const instance = yield* resolveName(name)
    yield* lifecycle.provision(instance)
    yield* Console.log(`${instance}: provisioned`)
  }))
