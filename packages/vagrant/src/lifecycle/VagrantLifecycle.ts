import {
  InvalidInput,
  Lifecycle,
  type LifecycleShape,
  Progress,
  type SshFailed,
  validateInstanceName,
  type VmError,
  VmNotRunning
} from "@vm/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { applyConfig } from "../context/apply.js"
import { execCommand, guestLogCommand, shellCommand } from "../guest/commands.js"
import { machineNameFor } from "../names.js"
import { PortAllocator } from "../PortAllocator.js"
import { machineInfoOf, VagrantProjectTag } from "../project/VagrantProject.js"
import type { InstanceRecord } from "../ProjectState.js"
import { SshClient } from "../SshClient.js"

/** The Lifecycle capability on Vagrant: create/start/stop/restart/destroy/provision, ssh/exec/logs, list. */
export const VagrantLifecycleLive = Layer.effect(
  Lifecycle,
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const ssh = yield* SshClient
    const ports = yield* PortAllocator
    const progress = yield* Progress
    const { ctx, timeouts } = p
    const workspace = ctx.config.project.workspace_path

    /** The hypervisor's machine of an instance whose Vagrant data directory (`.vm/vagrant`) is gone, if any. */
    const orphanOf = (machine: string) =>
      Effect.gen(function*() {
        const orphans = p.module.orphans
        if (orphans === undefined || Option.isSome(yield* p.machineId(machine))) return Option.none<string>()
        return yield* orphans.find(p.env, { projectRoot: ctx.root, machine }, timeouts.queryMs)
      })

    /** Vagrant would try to create it again and fail on the taken name: say what to do instead. */
    const refuseOrphan = (instance: string, machine: string) =>
      Effect.flatMap(orphanOf(machine), (orphan) =>
        Option.isNone(orphan)
          ? Effect.void
          : Effect.fail(
            new InvalidInput({
              what: `machine '${instance}'`,
              reason: `its ${p.module.title} machine ${orphan.value} still exists but vm's Vagrant data directory ` +
                `(${p.dataDir(machine)}) was lost; run \`vm destroy --force ${instance}\` to remove it, then create it again`
            })
          ))

    const destroy = (instance: string) =>
      Effect.gen(function*() {
        const r = yield* p.record(instance)
        yield* p.writeVagrantfile
        yield* p.forgetSsh(instance)
        const orphan = yield* orphanOf(r.machine)
        if (Option.isSome(orphan)) {
          // Vagrant no longer knows the machine: remove it by its id, or nothing could
          yield* progress.notice(`${instance}: Vagrant's data directory was lost; removing ${p.module.title} machine ${orphan.value} by its id`)
          yield* progress.phase(`Destroying ${instance}`, p.module.orphans!.remove(p.env, orphan.value, timeouts.haltMs)).pipe(
            Effect.mapError((e) =>
              new InvalidInput({
                what: `machine '${instance}'`,
                reason: `could not remove its orphaned machine (${e.message}); remove it with: ${p.module.orphans!.manualRemoval(p.env, orphan.value)}`
              })
            )
          )
        }
        yield* p.vagrant(["destroy", "-f", r.machine], timeouts.haltMs, { label: `Destroying ${instance}` })
        yield* p.updateState((s) => {
          const { [instance]: _gone, ...rest } = s.instances
          return [{ ...s, instances: rest }, undefined] as const
        })
        yield* p.writeVagrantfile
      })

    const create: LifecycleShape["create"] = (instance, options) =>
      Effect.gen(function*() {
        yield* validateInstanceName(instance)
        // before any record is written: a config that cannot boot leaves no trace
        yield* p.checkBootable
        const existing = (yield* p.readState).instances[instance]
        if (existing) {
          const current = yield* p.info(instance)
          if (current.state !== "missing") {
            if (!options.force) {
              return yield* new InvalidInput({
                what: `machine '${instance}'`,
                reason: `already exists (${current.rawState}); use \`vm start ${instance}\`, or \`vm create --force\` to recreate it`
              })
            }
            yield* destroy(instance)
          } else if (Option.isSome(yield* orphanOf(existing.machine))) {
            if (!options.force) yield* refuseOrphan(instance, existing.machine)
            yield* destroy(instance)
          }
        }
        // host-network containers and user-mode NICs: ssh on a loopback port of vm's choosing
        const sshPort = p.module.render.ownsSshPort(ctx.config)
          ? yield* Effect.flatMap(p.readState, (s) =>
            ports.allocate(Object.values(s.instances).flatMap((r) => r.sshPort === null ? [] : [r.sshPort])))
          : null
        yield* p.updateState((s) => {
          const previous = s.instances[instance]
          const r: InstanceRecord = {
            machine: machineNameFor(instance),
            sshPort: previous?.sshPort ?? sshPort,
            provider: p.provider,
            createdAt: new Date().toISOString()
          }
          return [{ ...s, instances: { ...s.instances, [instance]: r } }, undefined] as const
        })
        return yield* p.boot(instance, "up", `Creating ${instance} (${p.provider})`)
      })

    const requireRunning = (instance: string) => (e: SshFailed): Effect.Effect<never, VmError> =>
      Effect.flatMap(p.info(instance), (i): Effect.Effect<never, VmError> =>
        i.state === "running" ? Effect.fail(e) : Effect.fail(new VmNotRunning({ name: instance, state: i.rawState })))

    return Lifecycle.of({
      provider: p.provider,
      create,
      start: (instance) =>
        Effect.gen(function*() {
          yield* refuseOrphan(instance, (yield* p.record(instance)).machine)
          return (yield* applyConfig(p, progress, instance, "start")).machine
        }),
      stop: (instance) =>
        Effect.gen(function*() {
          const r = yield* p.record(instance)
          yield* p.writeVagrantfile
          yield* p.forgetSsh(instance)
          yield* p.vagrant(["halt", r.machine], timeouts.haltMs, { label: `Stopping ${instance}` })
          return yield* p.info(instance)
        }),
      restart: (instance) => Effect.map(applyConfig(p, progress, instance, "restart"), (applied) => applied.machine),
      destroy,
      provision: (instance) =>
        Effect.gen(function*() {
          const r = yield* p.record(instance)
          yield* p.writeVagrantfile
          yield* p.vagrant(["provision", r.machine], timeouts.upMs, { label: `Provisioning ${instance}` })
          // Vagrant exits 0 when the machine is stopped under a running provisioner: check the outcome.
          const after = yield* p.info(instance)
          if (after.state !== "running") return yield* new VmNotRunning({ name: instance, state: after.rawState })
        }),
      ssh: (instance, options) =>
        Effect.gen(function*() {
          const target = yield* p.sshTarget(instance)
          const dir = options.path === undefined
            ? workspace
            : options.path.startsWith("/")
            ? options.path
            : `${workspace}/${options.path}`
          return yield* ssh.interactive(target, shellCommand(dir)).pipe(Effect.catchTag("SshFailed", requireRunning(instance)))
        }),
      exec: (instance, argv, options) =>
        Effect.gen(function*() {
          if (argv.length === 0) return yield* new InvalidInput({ what: "exec", reason: "no command given" })
          const target = yield* p.sshTarget(instance)
          return yield* ssh.exec(target, execCommand(options.cwd ?? workspace, argv), { output: options.output }).pipe(
            Effect.catchTag("SshFailed", requireRunning(instance))
          )
        }),
      logs: (instance, options) =>
        Effect.gen(function*() {
          const r = yield* p.record(instance)
          const hostLogs = p.module.hostLogs
          if (hostLogs !== undefined) {
            const id = yield* p.machineId(r.machine)
            if (Option.isNone(id)) return yield* new VmNotRunning({ name: instance, state: "not created" })
            yield* hostLogs(p.env, id.value, { tail: options.tail, follow: options.follow, timeoutMs: timeouts.queryMs })
            return
          }
          const target = yield* p.sshTarget(instance)
          yield* ssh.exec(target, guestLogCommand(options.tail, options.follow), { output: "inherit" })
        }),
      list: Effect.gen(function*() {
        const instances = Object.entries((yield* p.readState).instances)
        const ids = yield* Effect.forEach(instances, ([, r]) => p.machineId(r.machine))
        const rows = yield* p.machineStates(instances.map(([, r], i) => ({ machine: r.machine, id: ids[i]! })))
        return instances.map(([instance], i) => machineInfoOf(instance, rows[i]!, ids[i]!))
      }),
      state: p.info
    })
  })
)
