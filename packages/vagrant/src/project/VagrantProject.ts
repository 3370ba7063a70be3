import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import {
  type CommandFailed,
  type MachineInfo,
  Progress,
  ProjectContext,
  type ProjectContextShape,
  SshFailed,
  type VagrantProviderName,
  type VmError,
  VmNotFound,
  VmNotRunning
} from "@vm/core"
import { readJsonFile, updateJsonFile, withGlobalDefaults, writeFileAtomic } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { providerTools } from "../providers/tools.js"
import { checkHostFolders, currentPlan, renderChecked } from "../context/renderCheck.js"
import { sha256 } from "../hash.js"
import { withDaemonHint } from "../hypervisors/cli.js"
import { HostTools, type HostUser } from "../hypervisors/HostTools.js"
import { emptyProjectState, type InstanceRecord, ProjectState, STATE_FILE } from "../ProjectState.js"
import type { ProviderEnv, ProviderModule } from "../providers/Provider.js"
import { moduleOf, normalizeState } from "../providers/registry.js"
import { resolveUser } from "../render/settings.js"
import { SshClient, type SshTarget } from "../SshClient.js"
import { loopbackSshConfig } from "../sshConfig.js"
import { makeMachineStates, type MachineStateRow } from "../status/machineStates.js"
import { DOTFILE_PATH, VAGRANTFILE_NAME, type VagrantCall, VagrantRunner } from "../VagrantRunner.js"
import { chooseProvider } from "./providerChoice.js"
import { type Timeouts, timeoutsFor } from "./timeouts.js"

/** A state row as the MachineInfo `vm list`/`vm status` show. */
export const machineInfoOf = (instance: string, row: MachineStateRow, id: Option.Option<string>): MachineInfo => ({
  name: instance,
  machine: row.machine,
  provider: row.provider,
  state: normalizeState(row.provider, row.raw),
  rawState: row.raw,
  id: Option.getOrNull(id)
})

/** How one `vagrant` call runs. */
export interface VagrantOptions extends Pick<VagrantCall, "plugins"> {
  /** Shown as a progress phase, with Vagrant's output lines as details. */
  readonly label?: string
}

/** Internal operations shared by the Lifecycle and the capabilities built on it (status, temp, kill). */
export interface VagrantProject {
  readonly ctx: ProjectContextShape
  readonly provider: VagrantProviderName
  /** Everything specific to the provider (providers/<name>.ts). */
  readonly module: ProviderModule
  /** The hypervisor tools and config the module's effects run with. */
  readonly env: ProviderEnv
  readonly timeouts: Timeouts
  /** The user running vm, whose ids the rendering may give the guest user (see HostTools). */
  readonly hostUser: HostUser | null
  readonly readState: Effect.Effect<ProjectState, VmError>
  readonly updateState: <B>(f: (s: ProjectState) => readonly [ProjectState, B]) => Effect.Effect<B, VmError>
  readonly record: (instance: string) => Effect.Effect<InstanceRecord, VmError>
  /** Renders Vagrantfile.vmtool from the current state (written only when it changed); returns its hash. */
  readonly writeVagrantfile: Effect.Effect<string, VmError>
  /**
   * Writes Vagrantfile.vmtool only when there is none. For `vm kill`: the file on disk is what the machine
   * runs with (a vm.yaml edited since has not reached it), and rendering costs time a kill does not have.
   */
  readonly ensureVagrantfile: Effect.Effect<void, VmError>
  /** Fails (naming the key) when the config renders but cannot boot, e.g. a synced folder source is missing. */
  readonly checkBootable: Effect.Effect<void, VmError>
  readonly dataDir: (machine: string, provider?: string) => string
  /** Provider id from `.vm/vagrant/machines/<m>/<provider>/id`. */
  readonly machineId: (machine: string) => Effect.Effect<Option.Option<string>>
  readonly vagrant: (args: ReadonlyArray<string>, timeoutMs: number, options?: VagrantOptions) => Effect.Effect<string, VmError>
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
   * (name, ssh port): how changes that `reload` cannot apply reach the machine (docker: folders, image).
   * Host folders synced into the guest (the workspace) survive; the rest of the guest does not.
   */
  readonly recreate: (instance: string, label: string) => Effect.Effect<MachineInfo, VmError>
}

export class VagrantProjectTag extends Context.Tag("@vm/vagrant/VagrantProject")<VagrantProjectTag, VagrantProject>() {}

export const VagrantProjectLive = Layer.effect(
  VagrantProjectTag,
  Effect.gen(function*() {
    const given = yield* ProjectContext
    const ctx: ProjectContextShape = { ...given, config: withGlobalDefaults(given.config, given.global) }
    const runner = yield* VagrantRunner
    const ssh = yield* SshClient
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const progress = yield* Progress
    const provider = yield* chooseProvider(ctx)
    const hostUser = (yield* HostTools).user
    const module = moduleOf(provider)
    const env: ProviderEnv = {
      config: ctx.config,
      tools: yield* providerTools
    }
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
      const text = yield* renderChecked(ctx, provider, yield* readState, hostUser)
      const file = path.join(ctx.root, VAGRANTFILE_NAME)
      const current = yield* fs.readFileString(file).pipe(Effect.option)
      if (Option.getOrUndefined(current) !== text) yield* withPlatform(writeFileAtomic(file, text))
      return sha256(text)
    })

    const ensureVagrantfile = Effect.flatMap(
      fs.exists(path.join(ctx.root, VAGRANTFILE_NAME)).pipe(Effect.orElseSucceed(() => false)),
      (exists) => exists ? Effect.void : Effect.asVoid(writeVagrantfile)
    )

    const checkBootable = withPlatform(checkHostFolders(ctx))

    const dataDir = (machine: string, p: string = provider) => path.join(ctx.root, DOTFILE_PATH, "machines", machine, p)
    const machineId = (machine: string) =>
      fs.readFileString(path.join(dataDir(machine), "id")).pipe(
        Effect.map((s) => s.trim()),
        Effect.option,
        Effect.map(Option.filter((s) => s !== ""))
      )

    const vagrant = (args: ReadonlyArray<string>, timeoutMs: number, { label, plugins }: VagrantOptions = {}) => {
      const call = runner.run(args, {
        cwd: ctx.root,
        timeoutMs,
        provider,
        ...(label ? { onLine: (line: string) => progress.detail(line.replace(/^==> /, "").trim()) } : {}),
        ...(plugins === undefined ? {} : { plugins })
      }).pipe(
        Effect.map((r) => r.stdout),
        withDaemonHint(module.doctor.daemonUnreachable && { output: module.doctor.daemonUnreachable, daemon: `${module.title} on this host` })
      )
      return label ? progress.phase(label, call) : call
    }

    const machineStates = makeMachineStates({
      provider: module,
      env,
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
    /**
     * A machine on a loopback port vm allocated, once Vagrant has put its own key in place (first boot):
     * its ssh-config is known without asking Vagrant. Before that (or on other networking) Vagrant is asked.
     */
    const knownSshConfig = (r: InstanceRecord) =>
      Effect.gen(function*() {
        if (!module.render.ownsSshPort(ctx.config) || r.sshPort === null) return undefined
        const identityFile = path.join(dataDir(r.machine), "private_key")
        if (!(yield* fs.exists(identityFile).pipe(Effect.orElseSucceed(() => false)))) return undefined
        const machine = { host: r.machine, port: r.sshPort, user: resolveUser(ctx.config, ctx.global) ?? "vagrant", identityFile }
        // a path ssh_config cannot hold (a double quote): Vagrant's own answer is used as it is
        return yield* Effect.try(() => loopbackSshConfig(machine)).pipe(Effect.orElseSucceed(() => undefined))
      })
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
        const text = (yield* knownSshConfig(r)) ?? (yield* Effect.zipRight(writeVagrantfile, vagrant(["ssh-config", r.machine], timeouts.queryMs)).pipe(
          Effect.catchTag("CommandFailed", (): Effect.Effect<never, VmError> =>
            Effect.flatMap(info(instance), (i): Effect.Effect<never, VmError> =>
              i.state === "running"
                ? Effect.fail(new SshFailed({ machine: instance, reason: "vagrant ssh-config failed although the machine runs" }))
                : Effect.fail(new VmNotRunning({ name: instance, state: i.rawState }))))
        ))
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
        const booted = yield* currentPlan(ctx, provider, yield* readState, instance, hostUser)
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
        yield* vagrant(args, timeouts.upMs, { label }).pipe(
          Effect.catchIf(
            (e): e is CommandFailed => e._tag === "CommandFailed" && module.transientBootFailure?.(e.stderrTail) === true,
            (e) =>
              Effect.zipRight(
                progress.notice(`${instance}: \`vagrant ${args[0]}\` hit a race outside vm (${e.stderrTail.trim().split("\n").at(-1)}); retrying once`),
                vagrant(args, timeouts.upMs, { label })
              )
          )
        )
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
        const id = yield* machineId(r.machine)
        const discard = module.discard
        if (discard !== undefined && Option.isSome(id)) {
          // one Ruby start-up cheaper; `vagrant up` finds the machine gone and creates it again
          yield* progress.phase(`${label}: removing the old machine`, discard(env, id.value, timeouts.haltMs))
        } else {
          yield* vagrant(["destroy", "-f", r.machine], timeouts.haltMs, { label: `${label}: removing the old machine` })
        }
        return yield* boot(instance, "up", `${label}: booting the new machine`)
      })

    return VagrantProjectTag.of({
      boot,
      recreate,
      ctx,
      provider,
      module,
      env,
      timeouts,
      hostUser,
      readState,
      updateState,
      record,
      writeVagrantfile,
      ensureVagrantfile,
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

/** The services a project's layers need besides its ProjectContext (tools, platform, progress). */
export type VagrantProjectDeps = Exclude<Layer.Layer.Context<typeof VagrantProjectLive>, ProjectContext>
