import type { VmError } from "@vm/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { parseStatus } from "../machineReadable.js"
import type { ProviderEnv, ProviderModule } from "../providers/Provider.js"

/** A machine's raw state, answered by the cheapest source that knows it. */
export interface MachineStateRow {
  readonly machine: string
  readonly provider: string
  /** The provider's raw state id (Vagrant's ids; `paused`/`restarting` from docker itself). */
  readonly raw: string
  /** When the machine last started or changed state, where the hypervisor says (cache keys). */
  readonly since: string | null
  /** "id-file": no id, so never created (Vagrant's own rule); "hypervisor": the provider's own tool; else Vagrant. */
  readonly source: "id-file" | "hypervisor" | "vagrant"
}

export interface StateQuery {
  readonly machine: string
  /** Content of the machine's id file. */
  readonly id: Option.Option<string>
}

export interface MachineStatesDeps {
  readonly provider: ProviderModule
  readonly env: ProviderEnv
  /** `vagrant status --machine-readable` for these machines (the caller writes the Vagrantfile first). */
  readonly vagrantStatus: (machines: ReadonlyArray<string>) => Effect.Effect<string, VmError>
  /** Bound of each hypervisor query. */
  readonly timeoutMs: number
}

/**
 * Reads machine states without paying Vagrant's Ruby start-up where possible: no id file means
 * not created; a provider module with a state query asks its hypervisor directly (docker inspect,
 * VBoxManage showvminfo, virsh domstate); other providers, and any machine the hypervisor could not
 * answer for, get one `vagrant status` call.
 */
export const makeMachineStates = (deps: MachineStatesDeps) => {
  const name = deps.provider.name
  const fromVagrant = (machines: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const out = yield* deps.vagrantStatus(machines)
      const rows = yield* parseStatus(out)
      return machines.map((machine): MachineStateRow => {
        const r = rows.find((x) => x.machine === machine)
        return { machine, provider: r?.provider ?? name, raw: r?.state ?? "unknown", since: null, source: "vagrant" }
      })
    })

  return (queries: ReadonlyArray<StateQuery>): Effect.Effect<ReadonlyArray<MachineStateRow>, VmError> =>
    Effect.gen(function*() {
      const answers = new Map<string, MachineStateRow>()
      const created: Array<{ machine: string; id: string }> = []
      for (const q of queries) {
        if (Option.isNone(q.id)) answers.set(q.machine, { machine: q.machine, provider: name, raw: "not_created", since: null, source: "id-file" })
        else created.push({ machine: q.machine, id: q.id.value })
      }
      const query = deps.provider.queryStates
      if (created.length > 0 && query !== undefined) {
        for (const a of yield* query(deps.env, created, deps.timeoutMs)) {
          if (a !== undefined) answers.set(a.machine, { ...a, provider: name, source: "hypervisor" })
        }
      }
      const rest = created.map((q) => q.machine).filter((m) => !answers.has(m))
      if (rest.length > 0) for (const a of yield* fromVagrant(rest)) answers.set(a.machine, a)
      return queries.map((q) => answers.get(q.machine)!)
    })
}
