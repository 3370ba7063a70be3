import * as Prompt from "@effect/cli/Prompt"
import type { VagrantProviderName } from "@vm/core/config/schema"
import { Lifecycle } from "@vm/core/Lifecycle"
import type { TempVmRecord } from "@vm/core/temp/TempVmRecord"
import { TempVms } from "@vm/core/TempVms"
import { runDetached } from "@vm/vagrant/temp/TempVmsLive"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { GuestExit } from "../GuestExit.js"
import { mountLines, pendingMounts, tempDetails } from "../tempMounts.js"
import { withTemp, withTempVm } from "../tempProject.js"
import { describe } from "./lifecycle.js"
import { InvalidInput } from "@vm/core/errors"
import { printStatus, statusReport } from "./statusReport.js"
import { printOnce, type StatusArgs, watchStatus } from "./statusView.js"
import { tempCommands, tempStatusView } from "./tempStatus.js"

const printMounts = (record: TempVmRecord) => Effect.forEach(mountLines(record), (line) => Console.log(line), { discard: true })

/** An interactive shell in the temp VM; its exit code becomes vm's. */
const shell = (name: Option.Option<string>) =>
  withTempVm(name, (resolved) =>
    Effect.gen(function*() {
      const code = yield* (yield* Lifecycle).ssh(resolved, {})
      if (code !== 0) return yield* new GuestExit({ code })
    }))

/** Ask on a terminal; without one reuse only when `--yes` says so. */
const shouldReuse = (warm: TempVmRecord, yes: boolean) =>
  yes
    ? Effect.succeed(true)
    : process.stdin.isTTY === true && process.stdout.isTTY === true
    ? Prompt.confirm({
      message: `Temp VM '${warm.name}' (${warm.provider}) is running: reuse it with these mounts instead of creating a new one?`,
      initial: true
    })
    : Effect.succeed(false)

export const create = (options: {
  readonly mounts: ReadonlyArray<string>
  readonly name: Option.Option<string>
  readonly provider: Option.Option<VagrantProviderName>
  readonly autoDestroy: boolean
  readonly yes: boolean
  readonly fresh: boolean
  readonly json: boolean
}) =>
  Effect.gen(function*() {
    const record = yield* withTemp(Effect.gen(function*() {
      const temp = yield* TempVms
      const provider = temp.providerFor(Option.getOrUndefined(options.provider))
      const common = { mounts: options.mounts, cwd: process.cwd(), autoDestroy: options.autoDestroy }
      // looking for a warm VM costs a status query: only when its answer can be used
      const canReuse = Option.isNone(options.name) && !options.fresh && (options.yes || process.stdin.isTTY === true)
      if (canReuse) {
        const warm = yield* temp.findWarm(provider)
        if (Option.isSome(warm) && (yield* shouldReuse(warm.value, options.yes))) {
          return { record: yield* temp.reuse(warm.value.name, common), reused: true }
        }
      }
      const created = yield* temp.create({ ...common, name: Option.getOrUndefined(options.name), provider })
      return { record: created, reused: false }
    }))
    if (options.json) yield* Console.log(JSON.stringify({ ...record.record, reused: record.reused }, null, 2))
    else {
      yield* Console.log(`${record.record.name}: running [${record.record.provider}]${record.reused ? " (reused)" : ""}`)
      yield* printMounts(record.record)
    }
    if (!options.autoDestroy) {
      if (!options.json) yield* Console.log(`connect: vm temp ssh --name ${record.record.name}`)
      return
    }
    const destroy = withTemp(Effect.flatMap(TempVms, (t) => t.destroy(record.record.name))).pipe(
      Effect.zipRight(Console.error(`${record.record.name}: destroyed`))
    )
    // Ctrl-C or a failing shell destroys too
    yield* shell(Option.some(record.record.name)).pipe(Effect.ensuring(runDetached(destroy).pipe(Effect.ignore)))
  })

export const mount = ({ name, paths }: { readonly paths: ReadonlyArray<string>; readonly name: Option.Option<string> }) =>
  withTemp(Effect.gen(function*() {
    const temp = yield* TempVms
    const resolved = yield* temp.resolve(Option.getOrUndefined(name))
    const record = yield* temp.mount(resolved, paths, process.cwd())
    yield* Console.log(`${record.name}: mounts`)
    yield* printMounts(record)
  }))

export const unmount = (
  { all, name, paths }: { readonly paths: ReadonlyArray<string>; readonly all: boolean; readonly name: Option.Option<string> }
) =>
  withTemp(Effect.gen(function*() {
    const temp = yield* TempVms
    const resolved = yield* temp.resolve(Option.getOrUndefined(name))
    const record = yield* temp.unmount(resolved, { paths, all }, process.cwd())
    yield* Console.log(`${record.name}: mounts`)
    yield* printMounts(record)
  }))

export const mounts = ({ json, name }: { readonly name: Option.Option<string>; readonly json: boolean }) =>
  withTemp(Effect.gen(function*() {
    const temp = yield* TempVms
    const record = yield* temp.get(yield* temp.resolve(Option.getOrUndefined(name)))
    if (json) return yield* Console.log(JSON.stringify(record.mounts, null, 2))
    yield* Console.log(`${record.name}: mounts`)
    yield* printMounts(record)
  }))

const pad = (s: string, n: number) => s.padEnd(n)

export const list = ({ json }: { readonly json: boolean }) =>
  withTemp(Effect.gen(function*() {
    const vms = yield* (yield* TempVms).list
    if (json) {
      const rows = vms.map(({ dir, machine, record }) => ({
        name: record.name,
        provider: record.provider,
        state: machine.state,
        rawState: machine.rawState,
        id: machine.id,
        createdAt: record.createdAt,
        projectDir: record.projectDir,
        autoDestroy: record.autoDestroy,
        mounts: record.mounts,
        pendingMounts: pendingMounts(record),
        dir
      }))
      return yield* Console.log(JSON.stringify(rows, null, 2))
    }
    if (vms.length === 0) return yield* Console.log("no temp VMs (create one with `vm temp create [DIR...]`)")
    yield* Console.log(`${pad("NAME", 24)}${pad("STATE", 14)}${pad("PROVIDER", 16)}${pad("MOUNTS", 8)}CREATED`)
    for (const { machine, record } of vms) {
      yield* Console.log(
        `${pad(record.name, 24)}${pad(machine.state, 14)}${pad(record.provider, 16)}${
          pad(String(record.mounts.length), 8)
        }${record.createdAt.replace("T", " ").slice(0, 19)}`
      )
    }
  }))

export const ssh = ({ name }: { readonly name: Option.Option<string> }) => shell(name)

export const exec = ({ command, name }: { readonly name: Option.Option<string>; readonly command: ReadonlyArray<string> }) =>
  withTempVm(name, (resolved) =>
    Effect.gen(function*() {
      const result = yield* (yield* Lifecycle).exec(resolved, command, { output: "inherit" })
      if (result.exitCode !== 0) return yield* new GuestExit({ code: result.exitCode })
    }))

export const status = ({ all, fresh, json, name, watch }: StatusArgs) =>
  Effect.gen(function*() {
    if (all && Option.isSome(name)) {
      return yield* new InvalidInput({ what: "vm temp status", reason: `give a temp VM (--name ${name.value}) or --all, not both` })
    }
    if (all || Option.isSome(watch)) {
      return yield* withTemp(Effect.gen(function*() {
        const temp = yield* TempVms
        const names = all ? temp.names : Effect.succeed([yield* temp.resolve(Option.getOrUndefined(name))])
        const view = yield* tempStatusView(names, { fresh: fresh || Option.isSome(watch), table: all })
        return yield* Option.isSome(watch) ? watchStatus(view, watch.value, json) : printOnce(view, json)
      }))
    }
    return yield* withTempVm(name, (resolved) =>
      Effect.gen(function*() {
        const commands = tempCommands(resolved)
        const report = yield* statusReport(resolved, { fresh, commands })
        const record = yield* (yield* TempVms).get(resolved)
        if (json) return yield* Console.log(JSON.stringify({ ...report, temp: tempDetails(record) }, null, 2))
        yield* printStatus(report, commands)
        yield* Console.log("  mounts:")
        yield* printMounts(record)
      }))
  })

/** start/stop/restart of a temp VM (start and restart apply pending mounts). */
export const lifecycle = (verb: "start" | "stop" | "restart") => ({ name }: { readonly name: Option.Option<string> }) =>
  withTemp(Effect.gen(function*() {
    const temp = yield* TempVms
    const info = yield* temp[verb](yield* temp.resolve(Option.getOrUndefined(name)))
    yield* Console.log(describe(info))
  }))

export const destroy = ({ all, name }: { readonly name: Option.Option<string>; readonly all: boolean }) =>
  withTemp(Effect.gen(function*() {
    const temp = yield* TempVms
    const targets = all ? yield* temp.names : [yield* temp.resolve(Option.getOrUndefined(name))]
    for (const target of targets) {
      yield* temp.destroy(target)
      yield* Console.log(`${target}: destroyed`)
    }
  }))
