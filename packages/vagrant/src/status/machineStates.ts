import type { VagrantProviderName } from "@vm/core/config/schema"
import type { CommandFailed, CommandTimeout, ToolNotInstalled, VmError } from "@vm/core/errors"
import { Effect, Either, Option, Schema } from "effect"
import type { DockerCliShape } from "../hypervisors/DockerCli.js"
import type { VBoxManageShape } from "../hypervisors/VBoxManage.js"
import { parseVBoxInfo, VBOX_NOT_FOUND } from "../hypervisors/vboxInfo.js"
import { parseStatus } from "../machineReadable.js"

/** A machine's raw state, answered by the cheapest source that knows it. */
export interface MachineStateRow {
  readonly machine: string
  readonly provider: string
  /** The provider's raw state id (Vagrant's ids; `paused`/`restarting` from docker itself). */
  readonly raw: string
  /** When the machine last started or changed state, where the hypervisor says (cache keys). */
  readonly since: string | null
  /** "id-file": no id, so never created (Vagrant's own rule); else the tool that answered. */
  readonly source: "id-file" | "docker" | "virtualbox" | "vagrant"
}

export interface StateQuery {
  readonly machine: string
  /** Content of the machine's id file. */
  readonly id: Option.Option<string>
}

export interface MachineStatesDeps {
  readonly provider: VagrantProviderName
  readonly docker: DockerCliShape
  readonly vbox: Pick<VBoxManageShape, "run">
  /** `vagrant status --machine-readable` for these machines (the caller writes the Vagrantfile first). */
  readonly vagrantStatus: (machines: ReadonlyArray<string>) => Effect.Effect<string, VmError>
  /** Bound of each hypervisor query. */
  readonly timeoutMs: number
}

type Answer = MachineStateRow | undefined

const DockerState = Schema.parseJson(Schema.Struct({ Status: Schema.String, StartedAt: Schema.optional(Schema.String) }))

/** docker's container status → the raw id: Vagrant's (running/stopped), plus what Vagrant blurs. */
const dockerRaw = (status: string): string => {
  switch (status) {
    case "running":
    case "paused":
    case "restarting":
      return status
    default: // created, exited, dead, removing
      return "stopped"
  }
}

/** Tool failures that mean "ask Vagrant instead"; a timeout is not one (it would only double the wait). */
const fallBack = <A>(e: CommandFailed | CommandTimeout | ToolNotInstalled): Effect.Effect<Option.Option<A>, CommandTimeout> =>
  e._tag === "CommandTimeout" ? Effect.fail(e) : Effect.succeed(Option.none())

/**
 * Reads machine states without paying Vagrant's Ruby start-up where possible: no id file means
 * not created; docker and VirtualBox are asked directly (`docker inspect`, `VBoxManage showvminfo`);
 * other providers, and any machine those could not answer for, get one `vagrant status` call.
 */
export const makeMachineStates = (deps: MachineStatesDeps) => {
  const row = (machine: string, raw: string, since: string | null, source: MachineStateRow["source"]): MachineStateRow => ({
    machine,
    provider: deps.provider,
    raw,
    since,
    source
  })

  /** One `docker inspect` for all containers; ids docker does not know are gone (not created). */
  const fromDocker = (queries: ReadonlyArray<{ machine: string; id: string }>) =>
    deps.docker.run(["inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", ...queries.map((q) => q.id)], {
      timeoutMs: deps.timeoutMs,
      check: false
    }).pipe(
      Effect.map((result) => {
        const states = new Map<string, { Status: string; StartedAt?: string | undefined }>()
        for (const line of result.stdout.split("\n")) {
          const space = line.indexOf(" ")
          if (space <= 0) continue
          const decoded = Schema.decodeUnknownEither(DockerState)(line.slice(space + 1))
          if (Either.isRight(decoded)) states.set(line.slice(0, space), decoded.right)
        }
        const gone = /no such (container|object)/i.test(result.stderr)
        return Option.some(queries.map(({ id, machine }): Answer => {
          const state = [...states].find(([full]) => full === id || full.startsWith(id))?.[1]
          if (state !== undefined) return row(machine, dockerRaw(state.Status), state.StartedAt ?? null, "docker")
          return gone ? row(machine, "not_created", null, "docker") : undefined
        }))
      }),
      Effect.catchAll(fallBack<ReadonlyArray<Answer>>)
    )

  const fromVirtualBox = (query: { machine: string; id: string }) =>
    deps.vbox.run(["showvminfo", query.id, "--machinereadable"], { timeoutMs: deps.timeoutMs, check: false }).pipe(
      Effect.map((result): Option.Option<Answer> => {
        if (result.exitCode !== 0) {
          return VBOX_NOT_FOUND.test(result.stderr) ? Option.some(row(query.machine, "not_created", null, "virtualbox")) : Option.none()
        }
        const info = parseVBoxInfo(result.stdout)
        // Vagrant's VirtualBox driver reports a VM whose files are missing as inaccessible
        const raw = info["name"] === "<inaccessible>" ? "inaccessible" : info["VMState"]
        return raw === undefined ? Option.none() : Option.some(row(query.machine, raw, info["VMStateChangeTime"] ?? null, "virtualbox"))
      }),
      Effect.catchAll(fallBack<Answer>)
    )

  const fromVagrant = (machines: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const out = yield* deps.vagrantStatus(machines)
      const rows = yield* parseStatus(out)
      return machines.map((machine): MachineStateRow => {
        const r = rows.find((x) => x.machine === machine)
        return { machine, provider: r?.provider ?? deps.provider, raw: r?.state ?? "unknown", since: null, source: "vagrant" }
      })
    })

  return (queries: ReadonlyArray<StateQuery>): Effect.Effect<ReadonlyArray<MachineStateRow>, VmError> =>
    Effect.gen(function*() {
      const answers = new Map<string, MachineStateRow>()
      const created: Array<{ machine: string; id: string }> = []
      for (const q of queries) {
        if (Option.isNone(q.id)) answers.set(q.machine, row(q.machine, "not_created", null, "id-file"))
        else created.push({ machine: q.machine, id: q.id.value })
      }
      const direct: ReadonlyArray<Answer> = created.length === 0
        ? []
        : deps.provider === "docker"
        ? Option.getOrElse(yield* fromDocker(created), () => [])
        : deps.provider === "virtualbox"
        ? yield* Effect.forEach(created, (q) => Effect.map(fromVirtualBox(q), Option.getOrUndefined), {
          concurrency: "unbounded"
        })
        : []
      for (const a of direct) if (a !== undefined) answers.set(a.machine, a)
      const rest = created.map((q) => q.machine).filter((m) => !answers.has(m))
      if (rest.length > 0) for (const a of yield* fromVagrant(rest)) answers.set(a.machine, a)
      return queries.map((q) => answers.get(q.machine)!)
    })
}
