import { FileSystem, Path } from "@effect/platform"
import type { VagrantProviderName } from "@vm/core/config/schema"
import { InvalidInput, SshFailed, type VmError, VmNotFound, VmNotRunning } from "@vm/core/errors"
import { validateInstanceName } from "@vm/core/instances"
import { Lifecycle, type LifecycleShape } from "@vm/core/Lifecycle"
import type { MachineInfo } from "@vm/core/model"
import { Progress } from "@vm/core/Progress"
import { ProjectContext, type ProjectContextShape } from "@vm/core/ProjectContext"
import { readJsonFile, updateJsonFile, writeFileAtomic } from "@vm/core/state/atomicFile"
import { Context, Effect, Layer, Option } from "effect"
import * as Crypto from "node:crypto"
import * as NodeFs from "node:fs"
import { DockerCli } from "./hypervisors/DockerCli.js"
import { VBoxManage } from "./hypervisors/VBoxManage.js"
import { machineNameFor } from "./names.js"
import { PortAllocator } from "./PortAllocator.js"
import { emptyProjectState, type InstanceRecord, ProjectState, STATE_FILE } from "./ProjectState.js"
import { applyConfig } from "./context/apply.js"
import { checkHostFolders, currentPlan, renderChecked } from "./context/renderCheck.js"
import { projectRenderInput } from "./render/projectInput.js"
import { renderVagrantfile } from "./render/Vagrantfile.js"
import { shellJoin, shellQuote } from "./shell.js"
import { SshClient, type SshTarget } from "./SshClient.js"
import { makeMachineStates, type MachineStateRow } from "./status/machineStates.js"
import { normalizeState } from "./states.js"
import { DOTFILE_PATH, VAGRANTFILE_NAME, VagrantRunner } from "./VagrantRunner.js"

export { DEFAULT_DOCKER_IMAGE } from "./render/projectInput.js"
/** Guest file the environment provisioner writes; exec and ssh source it. */
export const GUEST_ENV_FILE = "/etc/profile.d/vm-env.sh"

export interface Timeouts {
  readonly upMs: number
  readonly queryMs: number
  readonly haltMs: number
  /** Each host-side query of `vm status`: the machine state, and `vagrant ssh-config` when not cached. */
  readonly statusMs: number
  /** The ssh round trip of `vm status` to the guest. */
  readonly sshMs: number
}

export const timeoutsFor = (ctx: ProjectContextShape): Timeouts => ({
  upMs: (ctx.global.timeouts.vagrant_up ?? 900) * 1000,
  queryMs: (ctx.global.timeouts.vagrant_query ?? 60) * 1000,
  haltMs: (ctx.global.timeouts.vagrant_up ?? 900) * 1000 / 3,
  statusMs: (ctx.global.timeouts.status ?? 10) * 1000,
  sshMs: (ctx.global.timeouts.ssh ?? 10) * 1000
})

/** A state row as the MachineInfo `vm list`/`vm status` show. */
export const machineInfoOf = (instance: string, row: MachineStateRow, id: Option.Option<string>): MachineInfo => ({
  name: instance,
  machine: row.machine,
  provider: row.provider,
  state: normalizeState(row.provider, row.raw),
  rawState: row.raw,
  id: Option.getOrNull(id)
})

/** Pure: the Vagrantfile for the project's current instances (throws on unrenderable input: see renderChecked). */
export const renderProject = (ctx: ProjectContextShape, provider: VagrantProviderName, state: ProjectState) =>
  renderVagrantfile(projectRenderInput(ctx, provider, state))

export const sha256 = (text: string) => Crypto.createHash("sha256").update(text).digest("hex")

/** The configured provider, else VirtualBox when installed, else the docker provider. */
export const resolveProviderName = (ctx: ProjectContextShape, hasTool: (tool: string) => boolean): VagrantProviderName =>
  ctx.config.vagrant.provider ?? ctx.global.defaults.provider ?? (hasTool("VBoxManage") ? "virtualbox" : "docker")

export const onPath = (tool: string) =>
  (process.env["PATH"] ?? "").split(":").some((dir) => {
    try {
      NodeFs.accessSync(`${dir}/${tool}`, NodeFs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })

/** Internal operations shared by the Lifecycle and the capabilities built on it (status, temp, kill). */
export interface VagrantProject {
  readonly ctx: ProjectContextShape
  readonly provider: VagrantProviderName
  readonly timeouts: Timeouts
  readonly readState: Effect.Effect<ProjectState, VmError>
  readonly updateState: <B>(f: (s: ProjectState) => readonly [ProjectState, B]) => Effect.Effect<B, VmError>
  readonly record: (instance: string) => Effect.Effect<InstanceRecord, VmError>
  /** Renders Vagrantfile.vmtool from the current state (written only when it changed); returns its hash. */
  readonly writeVagrantfile: Effect.Effect<string, VmError>
  /** Fails (naming the key) when the config renders but cannot boot, e.g. a synced folder source is missing. */
  readonly checkBootable: Effect.Effect<void, VmError>
  readonly dataDir: (machine: string, provider?: string) => string
  /** Provider id from `.vm/vagrant/machines/<m>/<provider>/id`. */
  readonly machineId: (machine: string) => Effect.Effect<Option.Option<string>>
  readonly vagrant: (args: ReadonlyArray<string>, timeoutMs: number, label?: string) => Effect.Effect<string, VmError>
  readonly info: (instance: string) => Effect.Effect<MachineInfo, VmError>
  /** Raw states of machines, cheaply (see makeMachineStates). */
  readonly machineStates: (
    queries: ReadonlyArray<{ readonly machine: string; readonly id: Option.Option<string> }>
  ) => Effect.Effect<ReadonlyArray<MachineStateRow>, VmError>
  readonly sshTarget: (instance: string) => Effect.Effect<SshTarget, VmError>
  readonly forgetSsh: (instance: string) => Effect.Effect<void>
  /** Records the file's hash and the machine's plan (what `vm status` compares for drift). */
  readonly markBooted: (instance: string, hash: string) => Effect.Effect<void, VmError>
  /**
   * Renders the current config and runs `vagrant up` or `reload` (`provision`: with `--provision`);
   * records what the machine booted with.
   */
  readonly boot: (
    instance: string,
    verb: "up" | "reload",
    label: string,
    options?: { readonly provision?: boolean }
  ) => Effect.Effect<MachineInfo, VmError>
  /**
   * Destroys the machine and boots it again from the current config, keeping its instance record
   * (name, ssh port): how the docker provider applies changes `reload` cannot (synced folders, image).
   * Host folders synced into the guest (the workspace) survive; the rest of the guest does not.
   */
  readonly recreate: (instance: string, label: string) => Effect.Effect<MachineInfo, VmError>
}

export class VagrantProjectTag extends Context.Tag("@vm/vagrant/VagrantProject")<VagrantProjectTag, VagrantProject>() {}

export const VagrantProjectLive = Layer.effect(
  VagrantProjectTag,
  Effect.gen(function*() {
    const ctx = yield* ProjectContext
    const runner = yield* VagrantRunner
    const ssh = yield* SshClient
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const progress = yield* Progress
    const docker = yield* DockerCli
    const vbox = yield* VBoxManage
    const provider = resolveProviderName(ctx, onPath)
    const timeouts = timeoutsFor(ctx)
    const withPlatform = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
      effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))
    const stateFile = path.join(ctx.root, STATE_FILE)

    const readState = withPlatform(readJsonFile(stateFile, ProjectState)).pipe(Effect.map(Option.getOrElse(emptyProjectState)))
    const updateState = <B>(f: (s: ProjectState) => readonly [ProjectState, B]) =>
      withPlatform(updateJsonFile(stateFile, ProjectState, emptyProjectState, (s) => Effect.succeed(f(s))))

    const record = (instance: string) =>
      Effect.flatMap(readState, (s) => {
        const r = s.instances[instance]
        return r ? Effect.succeed(r) : Effect.fail(new VmNotFound({ name: instance, known: Object.keys(s.instances) }))
      })

    const writeVagrantfile = Effect.gen(function*() {
      const text = yield* renderChecked(ctx, provider, yield* readState)
      const file = path.join(ctx.root, VAGRANTFILE_NAME)
      const current = yield* fs.readFileString(file).pipe(Effect.option)
      if (Option.getOrUndefined(current) !== text) yield* withPlatform(writeFileAtomic(file, text))
      return sha256(text)
    })

    const checkBootable = withPlatform(checkHostFolders(ctx))

    const dataDir = (machine: string, p: string = provider) => path.join(ctx.root, DOTFILE_PATH, "machines", machine, p)
    const machineId = (machine: string) =>
      fs.readFileString(path.join(dataDir(machine), "id")).pipe(
        Effect.map((s) => s.trim()),
        Effect.option,
        Effect.map(Option.filter((s) => s !== ""))
      )

    const vagrant = (args: ReadonlyArray<string>, timeoutMs: number, label?: string) => {
      const call = runner.run(args, {
        cwd: ctx.root,
        timeoutMs,
        provider,
        ...(label ? { onLine: (line: string) => progress.detail(line.replace(/^==> /, "").trim()) } : {})
      }).pipe(Effect.map((r) => r.stdout))
      return label ? progress.phase(label, call) : call
    }

    const machineStates = makeMachineStates({
      provider,
      docker,
      vbox,
      timeoutMs: timeouts.statusMs,
      vagrantStatus: (machines) =>
        Effect.zipRight(
          writeVagrantfile,
          vagrant(["status", ...(machines.length === 1 ? machines : []), "--machine-readable"], timeouts.queryMs)
        )
    })

    const info = (instance: string) =>
      Effect.gen(function*() {
        const r = yield* record(instance)
        const id = yield* machineId(r.machine)
        const [row] = yield* machineStates([{ machine: r.machine, id }])
        return machineInfoOf(instance, row!, id)
      })

    const sshDir = path.join(ctx.root, ".vm", "ssh")
    const sshTarget = (instance: string) =>
      Effect.gen(function*() {
        const r = yield* record(instance)
        const id = yield* machineId(r.machine)
        if (Option.isNone(id)) return yield* new VmNotRunning({ name: instance, state: "not created" })
        const configFile = path.join(sshDir, `${r.machine}.config`)
        const idFile = path.join(sshDir, `${r.machine}.id`)
        const cachedId = yield* fs.readFileString(idFile).pipe(Effect.option)
        if (Option.getOrUndefined(cachedId) === id.value && (yield* fs.exists(configFile).pipe(Effect.orElseSucceed(() => false)))) {
          return { configFile, host: r.machine }
        }
        yield* writeVagrantfile
        const text = yield* vagrant(["ssh-config", r.machine], timeouts.queryMs).pipe(
          Effect.catchTag("CommandFailed", (): Effect.Effect<never, VmError> =>
            Effect.flatMap(info(instance), (i): Effect.Effect<never, VmError> =>
              i.state === "running"
                ? Effect.fail(new SshFailed({ machine: instance, reason: "vagrant ssh-config failed although the machine runs" }))
                : Effect.fail(new VmNotRunning({ name: instance, state: i.rawState }))))
        )
        yield* withPlatform(writeFileAtomic(configFile, text.replace(/^Host .*$/m, `Host ${r.machine}`)))
        yield* withPlatform(writeFileAtomic(idFile, id.value))
        return { configFile, host: r.machine }
      })

    const forgetSsh = (instance: string) =>
      Effect.gen(function*() {
        const r = yield* record(instance)
        const configFile = path.join(sshDir, `${r.machine}.config`)
        if (yield* fs.exists(configFile)) yield* ssh.disconnect({ configFile, host: r.machine })
        yield* fs.remove(configFile).pipe(Effect.ignore)
        yield* fs.remove(path.join(sshDir, `${r.machine}.id`)).pipe(Effect.ignore)
      }).pipe(Effect.ignore)

    const markBooted = (instance: string, hash: string) =>
      Effect.gen(function*() {
        const booted = yield* currentPlan(ctx, provider, yield* readState, instance)
        yield* updateState((s) => {
          const r = s.instances[instance]
          if (!r) return [s, undefined] as const
          return [{ ...s, instances: { ...s.instances, [instance]: { ...r, bootedHash: hash, booted } } }, undefined] as const
        })
      })

    const boot = (instance: string, verb: "up" | "reload", label: string, options?: { readonly provision?: boolean }) =>
      Effect.gen(function*() {
        const r = yield* record(instance)
        yield* checkBootable
        const hash = yield* writeVagrantfile
        yield* forgetSsh(instance)
        const args = [
          ...(verb === "up" ? ["up", r.machine, `--provider=${provider}`] : ["reload", r.machine]),
          ...(options?.provision ? ["--provision"] : [])
        ]
        yield* vagrant(args, timeouts.upMs, label)
        yield* markBooted(instance, hash)
        // up/reload exit 0 only once the guest answers on ssh: running, no `vagrant status` (a Ruby start) needed
        return {
          name: instance,
          machine: r.machine,
          provider,
          state: "running",
          rawState: "running",
          id: Option.getOrNull(yield* machineId(r.machine))
        } satisfies MachineInfo
      })

    const recreate = (instance: string, label: string) =>
      Effect.gen(function*() {
        const r = yield* record(instance)
        // before anything is destroyed: the new machine must be able to boot
        yield* checkBootable
        yield* writeVagrantfile
        yield* forgetSsh(instance)
        yield* vagrant(["destroy", "-f", r.machine], timeouts.haltMs, `${label}: removing the old machine`)
        return yield* boot(instance, "up", `${label}: booting the new machine`)
      })

    return VagrantProjectTag.of({
      boot,
      recreate,
      ctx,
      provider,
      timeouts,
      readState,
      updateState,
      record,
      writeVagrantfile,
      checkBootable,
      dataDir,
      machineId,
      vagrant,
      info,
      machineStates,
      sshTarget,
      forgetSsh,
      markBooted
    })
  })
)

/** The remote command for exec: workspace as cwd, the VM's environment, argv verbatim. */
export const execCommand = (dir: string, argv: ReadonlyArray<string>) =>
  `cd -- ${shellQuote(dir)} || exit 1; [ -r ${GUEST_ENV_FILE} ] && . ${GUEST_ENV_FILE}; exec ${shellJoin(argv)}`

export const shellCommand = (dir: string) =>
  `cd -- ${shellQuote(dir)} || exit 1; [ -r ${GUEST_ENV_FILE} ] && . ${GUEST_ENV_FILE}; exec "\${SHELL:-/bin/sh}" -l`

export const VagrantLifecycleLive = Layer.effect(
  Lifecycle,
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const ssh = yield* SshClient
    const docker = yield* DockerCli
    const ports = yield* PortAllocator
    const progress = yield* Progress
    const { ctx, timeouts } = p
    const workspace = ctx.config.project.workspace_path

    const boot = p.boot

    const destroy = (instance: string) =>
      Effect.gen(function*() {
        const r = yield* p.record(instance)
        yield* p.writeVagrantfile
        yield* p.forgetSsh(instance)
        yield* p.vagrant(["destroy", "-f", r.machine], timeouts.haltMs, `Destroying ${instance}`)
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
          }
        }
        const sshPort = p.provider === "docker"
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
        return yield* boot(instance, "up", `Creating ${instance} (${p.provider})`)
      })

    const requireRunning = (instance: string) => (e: SshFailed): Effect.Effect<never, VmError> =>
      Effect.flatMap(p.info(instance), (i): Effect.Effect<never, VmError> =>
        i.state === "running" ? Effect.fail(e) : Effect.fail(new VmNotRunning({ name: instance, state: i.rawState })))

    return Lifecycle.of({
      provider: p.provider,
      create,
      start: (instance) => Effect.map(applyConfig(p, progress, instance, "start"), (applied) => applied.machine),
      stop: (instance) =>
        Effect.gen(function*() {
          const r = yield* p.record(instance)
          yield* p.writeVagrantfile
          yield* p.forgetSsh(instance)
          yield* p.vagrant(["halt", r.machine], timeouts.haltMs, `Stopping ${instance}`)
          return yield* p.info(instance)
        }),
      restart: (instance) => Effect.map(applyConfig(p, progress, instance, "restart"), (applied) => applied.machine),
      destroy,
      provision: (instance) =>
        Effect.gen(function*() {
          const r = yield* p.record(instance)
          yield* p.writeVagrantfile
          yield* p.vagrant(["provision", r.machine], timeouts.upMs, `Provisioning ${instance}`)
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
          if (p.provider === "docker") {
            const id = yield* p.machineId(r.machine)
            if (Option.isNone(id)) return yield* new VmNotRunning({ name: instance, state: "not created" })
            yield* docker.run(["logs", "--tail", String(options.tail), ...(options.follow ? ["--follow"] : []), id.value], {
              timeoutMs: options.follow ? "none" : timeouts.queryMs,
              inherit: true
            })
            return
          }
          const target = yield* p.sshTarget(instance)
          const n = String(options.tail)
          const script = `if command -v journalctl >/dev/null 2>&1; then exec sudo journalctl --no-pager -n ${n}${
            options.follow ? " -f" : ""
          }; else exec sudo tail -n ${n}${options.follow ? " -F" : ""} /var/log/syslog /var/log/messages 2>/dev/null; fi`
          yield* ssh.exec(target, script, { output: "inherit" })
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
