import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import {
  type GlobalConfig,
  InvalidInput,
  Lifecycle,
  type MachineInfo,
  type Mount,
  Progress,
  ProjectContext,
  resolveInstance,
  TempVmNotFound,
  type TempVmRecord,
  TempVms,
  type TempVmsShape,
  type VmError
} from "@vm/core"
import { generateTempName, resolveMounts, sameMounts, validateTempName, withFileLock } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { DockerCli } from "../hypervisors/DockerCli.js"
import { VBoxManage } from "../hypervisors/VBoxManage.js"
import { VagrantProviderLayer } from "../layers.js"
import { machineNameFor } from "../names.js"
import { PortAllocator } from "../PortAllocator.js"
import { SshClient } from "../SshClient.js"
import { resolveProviderName } from "../project/providerChoice.js"
import { timeoutsFor } from "../project/timeouts.js"
import { VagrantProjectTag } from "../project/VagrantProject.js"
import { providerModule } from "../providers/registry.js"
import { HostTools } from "../hypervisors/HostTools.js"
import { VagrantRunner } from "../VagrantRunner.js"
import { applyMounts } from "./applyMounts.js"
import { probeSsh, waitHealthy } from "./health.js"
import { guestUser, tempApplyLock, tempContext, tempDir, tempPlaceholder, tempProjectConfig } from "./tempContext.js"
import { makeTempStore } from "./TempStore.js"
import { projectRenderInput } from "../render/projectInput.js"
import { renderVagrantfile } from "../render/Vagrantfile.js"

export interface TempSettings {
  readonly home: string
  readonly global: GlobalConfig
}

/**
 * Cleanup that must finish even when the fiber was interrupted (Ctrl-C): run in its own fiber,
 * where the command timeouts still work (inside an uninterruptible finalizer they could not).
 */
export const runDetached = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.forkDaemon(Effect.interruptible(effect)), Fiber.join)

/** What the normal provider layers need besides the project: the tools TempVmsLive hands on to each VM. */
type VmLayerDeps =
  | Exclude<Layer.Layer.Context<typeof VagrantProviderLayer>, ProjectContext>
  | VagrantRunner
  | SshClient
  | DockerCli
  | PortAllocator
  | VBoxManage
  | Progress
  | FileSystem.FileSystem
  | Path.Path
  | HostTools

const pending = (r: TempVmRecord) => r.appliedMounts === null || !sameMounts(r.appliedMounts, r.mounts)

/** Temp VMs on the Vagrant provider: each one a project of its own, driven through the normal provider layers. */
export const TempVmsLive = (settings: TempSettings) =>
  Layer.effect(
    TempVms,
    Effect.gen(function*() {
      const tools = yield* Effect.context<VmLayerDeps>()
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const progress = yield* Progress
      const host = yield* HostTools
      const virtualBoxInstalled = Option.isSome(yield* host.which("VBoxManage"))
      const { global, home } = settings
      const store = makeTempStore(home, fs, path)
      const withPlatform = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
        effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))

      const names = store.names
      const notFound = (name: string) =>
        Effect.flatMap(names, (known) => Effect.fail(new TempVmNotFound({ query: name, known: [...known] })))
      const get = (name: string): Effect.Effect<TempVmRecord, VmError> =>
        store.read(name).pipe(Effect.catchTag("TempRecordMissing", () => notFound(name)))
      const update = <E>(name: string, f: (r: TempVmRecord) => Effect.Effect<TempVmRecord, E>) =>
        store.update(name, f).pipe(Effect.catchTag("TempRecordMissing", (): Effect.Effect<never, VmError> => notFound(name)))

      const context = (name: string) => Effect.map(get(name), (r) => tempContext(home, global, r))

      /** Runs `body` with the normal provider layers for this temp VM's project. */
      const inVm = <A, E>(
        record: TempVmRecord,
        body: Effect.Effect<A, E, Lifecycle | VagrantProjectTag | VBoxManage | SshClient | DockerCli | Progress>
      ) =>
        body.pipe(
          Effect.provide(
            VagrantProviderLayer.pipe(
              Layer.provideMerge(Layer.succeed(ProjectContext, tempContext(home, global, record))),
              Layer.provideMerge(Layer.succeedContext(tools))
            )
          )
        )

      const timeouts = timeoutsFor({ global })
      const healthTimeoutMs = (global.timeouts.ssh ?? 30) * 4 * 1000
      /** Serializes everything that boots, changes or destroys the machine of one temp VM. */
      const underApplyLock = <A, E>(name: string, effect: Effect.Effect<A, E>) =>
        withPlatform(withFileLock(tempApplyLock(tempDir(home, name)), effect, timeouts.upMs * 2))

      const providerFor: TempVmsShape["providerFor"] = (requested) =>
        resolveProviderName({ config: tempProjectConfig(requested), global }, virtualBoxInstalled)

      /**
       * The record, once its Vagrantfile is known to render: nothing is recorded that `start`, `mount`
       * or `destroy` could not use afterwards (a value the renderer refuses fails here, naming it).
       */
      const rendersOrFails = (record: TempVmRecord) =>
        Effect.try({
          try: () => {
            const state = {
              version: 1 as const,
              instances: { [record.name]: { machine: machineNameFor(record.name), sshPort: 2222, provider: record.provider, createdAt: "" } }
            }
            renderVagrantfile(projectRenderInput(tempContext(home, global, record), record.provider, state, host.user))
            return record
          },
          catch: (e) => new InvalidInput({ what: `mounts of temp VM '${record.name}'`, reason: e instanceof Error ? e.message : String(e) })
        })

      const mountContext = (record: Pick<TempVmRecord, "provider">, cwd: string, existing: ReadonlyArray<Mount>) => ({
        cwd,
        home,
        pathProblem: providerModule(record.provider)?.mountPathProblem,
        guestUser: guestUser(global),
        existing
      })

      /**
       * Re-reads the state under the apply lock and applies what it finds: of two concurrent
       * `mount` calls, the later apply sees (and applies) both mounts; an up-to-date machine is left alone.
       */
      const apply = (name: string): Effect.Effect<TempVmRecord, VmError> =>
        underApplyLock(
          name,
          Effect.gen(function*() {
            const record = yield* get(name)
            if (!pending(record)) return record
            yield* inVm(record, applyMounts(name, record.appliedMounts, record.mounts, healthTimeoutMs))
            return yield* update(name, (r) => Effect.succeed({ ...r, appliedMounts: record.mounts }))
          })
        )

      /** Removes what exists of a temp VM: machine, then state and directory. */
      const destroy = (name: string): Effect.Effect<void, VmError> =>
        Effect.gen(function*() {
          const record = yield* get(name)
          yield* underApplyLock(
            name,
            // the mounts play no part in removing the machine: a record whose mounts no longer render still goes
            inVm(
              { ...record, mounts: [] },
              Effect.gen(function*() {
                const p = yield* VagrantProjectTag
                if ((yield* p.readState).instances[name] !== undefined) yield* (yield* Lifecycle).destroy(name)
              })
            )
          )
          yield* store.remove(name)
        })

      const create: TempVmsShape["create"] = (options) =>
        Effect.gen(function*() {
          const provider = providerFor(options.provider)
          if (options.name !== undefined) yield* validateTempName(options.name)
          const mounts = yield* withPlatform(resolveMounts(options.mounts, mountContext({ provider }, options.cwd, [])))
          const recordFor = (name: string): TempVmRecord => ({
            version: 1,
            name,
            provider,
            createdAt: new Date().toISOString(),
            projectDir: options.cwd,
            autoDestroy: options.autoDestroy,
            mounts,
            appliedMounts: null
          })
          // claiming the name is atomic; a generated name another create took meanwhile is drawn again
          const claim = (attempt: number): Effect.Effect<TempVmRecord, VmError> =>
            Effect.gen(function*() {
              const record = recordFor(options.name ?? generateTempName(yield* names))
              return yield* store.create(record).pipe(
                Effect.as(record),
                Effect.catchTag("TempNameTaken", (e) =>
                  options.name === undefined && attempt < 5 ? claim(attempt + 1) : Effect.fail(e.toInvalidInput()))
              )
            })
          yield* rendersOrFails(recordFor(options.name ?? "check"))
          const record = yield* claim(1)
          const name = record.name
          const boot = Effect.gen(function*() {
            yield* fs.makeDirectory(tempPlaceholder(tempDir(home, name)), { recursive: true }).pipe(Effect.orDie)
            yield* underApplyLock(
              name,
              inVm(
                record,
                Effect.gen(function*() {
                  yield* (yield* Lifecycle).create(name, { force: false })
                  yield* waitHealthy(name, healthTimeoutMs)
                })
              )
            )
            return yield* update(name, (r) => Effect.succeed({ ...r, appliedMounts: record.mounts }))
          })
          // a failed or interrupted create leaves nothing behind
          return yield* boot.pipe(Effect.onError(() => runDetached(destroy(name)).pipe(Effect.ignore)))
        })

      const state = (record: TempVmRecord): Effect.Effect<MachineInfo, never> =>
        inVm(record, Effect.flatMap(Lifecycle, (l) => l.state(record.name))).pipe(
          Effect.catchAll((e) =>
            Effect.succeed<MachineInfo>({
              name: record.name,
              machine: machineNameFor(record.name),
              provider: record.provider,
              state: e._tag === "VmNotFound" ? "missing" : "unknown",
              rawState: e._tag === "VmNotFound" ? "not created" : e.message,
              id: null
            })
          )
        )

      const findWarm: TempVmsShape["findWarm"] = (provider) =>
        Effect.gen(function*() {
          const records = yield* Effect.forEach(yield* names, (n) => store.read(n).pipe(Effect.option))
          const candidates = records
            .flatMap((o) => Option.isSome(o) && o.value.provider === provider ? [o.value] : [])
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
          for (const record of candidates) {
            // an answering ssh proves it runs; no Vagrant status query (~1 s of Ruby) needed
            const healthy = yield* inVm(record, probeSsh(record.name, 10_000)).pipe(
              Effect.as(true),
              Effect.orElseSucceed(() => false)
            )
            if (healthy) return Option.some(record)
          }
          return Option.none()
        })

      const unmountPaths = (record: TempVmRecord, paths: ReadonlyArray<string>, cwd: string) =>
        Effect.gen(function*() {
          let remaining = record.mounts
          for (const given of paths) {
            const host = path.resolve(cwd, given)
            const real = yield* fs.realPath(host).pipe(Effect.orElseSucceed(() => host))
            const guest = given.startsWith("/") ? path.normalize(given).replace(/(.)\/+$/, "$1") : undefined
            // a host directory first (it may no longer exist), then a guest path
            const match = remaining.find((m) => m.source === real || m.source === host) ??
              remaining.find((m) => m.target === guest)
            if (match === undefined) {
              const current = record.mounts.map((m) => `${m.source} -> ${m.target}`).join(", ") || "none"
              return yield* new InvalidInput({
                what: `unmount '${given}'`,
                reason: `not mounted in ${record.name} (mounts: ${current})`
              })
            }
            remaining = remaining.filter((m) => m !== match)
          }
          return remaining
        })

      const lifecycleThenHealthy = (name: string, op: "start" | "restart") =>
        Effect.gen(function*() {
          const record = yield* get(name)
          // mounts recorded but not applied (an earlier apply failed): applying also starts the machine
          if (pending(record)) yield* apply(name)
          else {
            yield* underApplyLock(name, inVm(record, Effect.flatMap(Lifecycle, (l) => l[op](name))))
            yield* inVm(record, waitHealthy(name, healthTimeoutMs))
          }
          return yield* state(yield* get(name))
        })

      return TempVms.of({
        names,
        get,
        context,
        providerFor,
        resolve: (query) =>
          Effect.gen(function*() {
            const known = yield* names
            if (query === undefined) {
              if (known.length === 1) return known[0]!
              return yield* new TempVmNotFound({ query: "", known: [...known] })
            }
            return yield* resolveInstance(query, known).pipe(
              Effect.catchTag("VmNotFound", () => Effect.fail(new TempVmNotFound({ query, known: [...known] })))
            )
          }),
        create,
        findWarm,
        reuse: (name, options) =>
          Effect.gen(function*() {
            yield* update(name, (r) =>
              Effect.flatMap(
                withPlatform(resolveMounts(options.mounts, mountContext(r, options.cwd, []))),
                (mounts) => rendersOrFails({ ...r, mounts, autoDestroy: options.autoDestroy, projectDir: options.cwd })
              ))
            return yield* apply(name)
          }),
        mount: (name, specs, cwd) =>
          Effect.gen(function*() {
            if (specs.length === 0) return yield* new InvalidInput({ what: "mount", reason: "give at least one directory to mount" })
            yield* update(name, (r) =>
              Effect.flatMap(
                withPlatform(resolveMounts(specs, mountContext(r, cwd, r.mounts))),
                (added) => rendersOrFails({ ...r, mounts: [...r.mounts, ...added] })
              ))
            return yield* apply(name)
          }),
        unmount: (name, selection, cwd) =>
          Effect.gen(function*() {
            if (!selection.all && selection.paths.length === 0) {
              return yield* new InvalidInput({ what: "unmount", reason: "give the host directory or guest path to unmount, or --all" })
            }
            yield* update(name, (r) =>
              selection.all
                ? Effect.succeed({ ...r, mounts: [] })
                : Effect.map(unmountPaths(r, selection.paths, cwd), (mounts) => ({ ...r, mounts })))
            return yield* apply(name)
          }),
        apply,
        list: Effect.gen(function*() {
          const records = yield* Effect.forEach(yield* names, (n) =>
            store.read(n).pipe(
              Effect.map(Option.some),
              // one damaged VM must not hide the others: say so on stderr and go on
              Effect.catchTag("StateFileError", (e) => Effect.as(progress.notice(`vm: skipping temp VM '${n}': ${e.message}`), Option.none())),
              Effect.catchTag("TempRecordMissing", () => Effect.succeed(Option.none()))
            ))
          return yield* Effect.forEach(
            records.flatMap((o) => Option.isSome(o) ? [o.value] : []),
            (record) => Effect.map(state(record), (machine) => ({ record, dir: tempDir(home, record.name), machine })),
            { concurrency: 4 }
          )
        }),
        start: (name) => lifecycleThenHealthy(name, "start"),
        restart: (name) => lifecycleThenHealthy(name, "restart"),
        stop: (name) =>
          Effect.flatMap(get(name), (record) => underApplyLock(name, inVm(record, Effect.flatMap(Lifecycle, (l) => l.stop(name))))),
        destroy
      })
    })
  )
