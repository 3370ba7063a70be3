import type { Mount, VmState } from "@vm/core"
import { diffMounts } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import { VagrantProjectTag } from "../project/VagrantProject.js"
import type { ProviderModule } from "../providers/Provider.js"
import { waitHealthy } from "./health.js"
import { applyLiveMounts } from "./liveMounts.js"

/**
 * How a machine picks up changed synced folders:
 * - live: shares added/removed on the running VM (providers with live mounts: VirtualBox);
 * - reload: `vagrant reload` re-runs the synced-folder step (hypervisor providers);
 * - recreate: a new machine, where folders are fixed at creation (the docker provider);
 * - up: the machine does not exist yet.
 * The same provider rule (`hardwareChange`) decides for `vm restart` (context/planApply.ts).
 */
export type ApplyStrategy = "live" | "reload" | "recreate" | "up"

export const chooseStrategy = (
  provider: Pick<ProviderModule, "hardwareChange" | "liveMounts">,
  state: VmState,
  liveAvailable: boolean
): ApplyStrategy => {
  if (provider.hardwareChange === "recreate") return "recreate"
  if (state === "missing") return "up"
  if (provider.liveMounts !== undefined && state === "running" && liveAvailable) return "live"
  return "reload"
}

/**
 * Brings the machine from the `applied` mounts to the ones in its (re-rendered) Vagrantfile, then waits
 * until it answers over ssh. The caller holds the VM's apply lock and built the provider from `desired`.
 */
export const applyMounts = (
  name: string,
  applied: ReadonlyArray<Mount> | null,
  desired: ReadonlyArray<Mount>,
  healthTimeoutMs: number
) =>
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const module = p.module
    // a recreate does not depend on the state: skip the query
    const state = module.hardwareChange === "recreate" ? "unknown" : (yield* p.info(name)).state
    const live = module.liveMounts !== undefined && state === "running" && (yield* module.liveMounts.available(p.env))
    const strategy = chooseStrategy(module, state, live)
    const label = `Applying mounts to ${name}`
    switch (strategy) {
      case "live":
        yield* applyLiveMounts(name, diffMounts(applied ?? [], desired))
        break
      case "reload":
        yield* p.boot(name, "reload", `${label} (vagrant reload)`)
        break
      case "recreate":
        yield* p.recreate(name, label)
        break
      case "up":
        yield* p.boot(name, "up", `${label} (vagrant up)`)
        break
    }
    yield* waitHealthy(name, healthTimeoutMs)
    return strategy
  })
