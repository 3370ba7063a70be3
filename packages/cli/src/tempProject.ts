import { HomeDir, loadGlobalConfig } from "@vm/core/config/load"
import { TempVms } from "@vm/core/TempVms"
import { liveTempVmsLayer } from "@vm/vagrant/live"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { providerFor } from "./project.js"
import { ProgressLive } from "./TtyProgress.js"

/** Temp VMs of the user in $HOME, with the live tools. */
const tempVmsLayer = (settings: Parameters<typeof liveTempVmsLayer>[0]) => liveTempVmsLayer(settings, ProgressLive)

/** Runs `body` with the user's temp VMs (no vm.yaml needed). */
export const withTemp = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const home = yield* HomeDir
    const global = yield* loadGlobalConfig(home)
    return yield* body.pipe(Effect.provide(tempVmsLayer({ home, global: global.config })))
  })

/**
 * Runs `body` on one temp VM with the same provider layers as a project (`vm ssh`, `vm status`, …
 * work unchanged): its ProjectContext is the temp VM's directory and mounts.
 */
export const withTempVm = <A, E, R>(name: Option.Option<string>, body: (name: string) => Effect.Effect<A, E, R>) =>
  withTemp(Effect.gen(function*() {
    const temp = yield* TempVms
    const resolved = yield* temp.resolve(Option.getOrUndefined(name))
    const ctx = yield* temp.context(resolved)
    return yield* body(resolved).pipe(Effect.provide(providerFor(ctx)))
  }))
