import { Lifecycle } from "@vm/core/Lifecycle"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import { GuestExit } from "../GuestExit.js"
import { resolveName, withProject } from "../project.js"

export const exec = ({ command, instance }: { readonly instance: Option.Option<string>; readonly command: ReadonlyArray<string> }) =>
  withProject(Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const name = yield* resolveName(instance)
    const result = yield* lifecycle.exec(name, command, { output: "inherit" })
    if (result.exitCode !== 0) return yield* new GuestExit({ code: result.exitCode })
  }))

export const ssh = ({ name, path }: { readonly name: Option.Option<string>; readonly path: Option.Option<string> }) =>
  withProject(Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const instance = yield* resolveName(name)
    const code = yield* lifecycle.ssh(instance, path._tag === "Some" ? { path: path.value } : {})
    if (code !== 0) return yield* new GuestExit({ code })
  }))

export const logs = (
  { follow, name, tail }: { readonly name: Option.Option<string>; readonly follow: boolean; readonly tail: number }
) =>
  withProject(Effect.gen(function*() {
    const lifecycle = yield* Lifecycle
    const instance = yield* resolveName(name)
    yield* lifecycle.logs(instance, { follow, tail })
  }))
