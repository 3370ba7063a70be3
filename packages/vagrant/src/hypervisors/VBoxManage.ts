import { CommandFailed, type ParseFailed } from "@vm/core"
import { ProcessRunner, type RunResult, tail } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { type CliError, type CliRun, processCli } from "./cli.js"
import { HostTools } from "./HostTools.js"
import { readVBoxInfo, type SharedFolderInfo, VBOX_NOT_FOUND, type VBoxVmInfo } from "./vboxInfo.js"

export type { SharedFolderInfo, VBoxVmInfo } from "./vboxInfo.js"

export interface SharedFolderSpec {
  readonly name: string
  readonly hostPath: string
  readonly readonly: boolean
}

export interface VBoxManageShape {
  /** `VBoxManage <args>`: the generic entry point the typed helpers below use. */
  readonly run: CliRun
  /** Is VBoxManage installed? */
  readonly available: Effect.Effect<boolean>
  /**
   * `showvminfo <uuid> --machinereadable`, read by the one reader (vboxInfo.ts); None when VirtualBox
   * has no such machine ("Could not find a registered machine", exit 1).
   */
  readonly showVmInfo: (uuid: string, timeoutMs: number) => Effect.Effect<Option.Option<VBoxVmInfo>, CliError | ParseFailed>
  /** `VMState` (running, poweroff, saved, aborted, …); `not_created` for a VM VirtualBox does not know. */
  readonly vmState: (uuid: string, timeoutMs: number) => Effect.Effect<string, CliError | ParseFailed>
  /** `controlvm <uuid> poweroff`: pulls the plug of a running or paused VM. */
  readonly powerOff: (uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** `discardstate <uuid>`: drops a saved VM's RAM image (a saved VM cannot be powered off). */
  readonly discardState: (uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** Shares a host directory with a running VM until it powers off (`--readonly` is enforced by the host). */
  readonly addTransientShare: (uuid: string, share: SharedFolderSpec) => Effect.Effect<void, CliError>
  readonly removeTransientShare: (uuid: string, name: string) => Effect.Effect<void, CliError>
  /** Permanent and transient shared folders of a VM. */
  readonly sharedFolders: (uuid: string) => Effect.Effect<ReadonlyArray<SharedFolderInfo>, CliError | ParseFailed>
}

/** VirtualBox's CLI, addressed by the VM uuid from the machine's data directory. */
export class VBoxManage extends Context.Tag("@vm/vagrant/VBoxManage")<VBoxManage, VBoxManageShape>() {}

const SHARE_TIMEOUT_MS = 30_000

/** The typed helpers over any `run` (live or fake), so both issue exactly the same argv. */
export const makeVBoxManage = (run: CliRun, available: Effect.Effect<boolean> = Effect.succeed(true)): VBoxManageShape => {
  const showVmInfo = (uuid: string, timeoutMs: number) =>
    run(["showvminfo", uuid, "--machinereadable"], { timeoutMs, check: false }).pipe(
      Effect.flatMap((r): Effect.Effect<Option.Option<VBoxVmInfo>, CliError | ParseFailed> => {
        if (r.exitCode === 0) return Effect.map(readVBoxInfo(r.stdout), Option.some)
        if (VBOX_NOT_FOUND.test(r.stderr)) return Effect.succeed(Option.none())
        return Effect.fail(
          new CommandFailed({ command: ["VBoxManage", "showvminfo", uuid, "--machinereadable"], exitCode: r.exitCode, stderrTail: tail(r.stderr || r.stdout) })
        )
      })
    )
  return {
  run,
  available,
  showVmInfo,
  vmState: (uuid, timeoutMs) => Effect.map(showVmInfo(uuid, timeoutMs), Option.match({ onNone: () => "not_created", onSome: (i) => i.state })),
  powerOff: (uuid, timeoutMs) => run(["controlvm", uuid, "poweroff"], { timeoutMs }),
  discardState: (uuid, timeoutMs) => run(["discardstate", uuid], { timeoutMs }),
  addTransientShare: (uuid, share) =>
    run([
      "sharedfolder",
      "add",
      uuid,
      "--name",
      share.name,
      "--hostpath",
      share.hostPath,
      "--transient",
      ...(share.readonly ? ["--readonly"] : [])
    ], { timeoutMs: SHARE_TIMEOUT_MS }).pipe(Effect.asVoid),
  removeTransientShare: (uuid, name) =>
    run(["sharedfolder", "remove", uuid, "--name", name, "--transient"], { timeoutMs: SHARE_TIMEOUT_MS }).pipe(
      Effect.asVoid
    ),
  sharedFolders: (uuid) =>
    Effect.flatMap(showVmInfo(uuid, SHARE_TIMEOUT_MS), (info) =>
      Option.isSome(info)
        ? Effect.succeed(info.value.sharedFolders)
        : Effect.fail(new CommandFailed({ command: ["VBoxManage", "showvminfo", uuid], exitCode: 1, stderrTail: `Could not find a registered machine with UUID {${uuid}}` })))
  }
}

export const VBoxManageLive = Layer.effect(
  VBoxManage,
  Effect.gen(function*() {
    const processes = yield* ProcessRunner
    const host = yield* HostTools
    return VBoxManage.of(
      makeVBoxManage(
        processCli(processes, "VBoxManage", "install VirtualBox from https://www.virtualbox.org"),
        Effect.map(host.which("VBoxManage"), Option.isSome)
      )
    )
  })
)

/** Over a scripted `run` (see `scriptedCli`). */
export const VBoxManageFake = (run: CliRun) => Layer.succeed(VBoxManage, VBoxManage.of(makeVBoxManage(run)))

/**
 * A simulated VirtualBox for unit tests: keeps each VM's shared folders, answers showvminfo,
 * fails like VBoxManage on a duplicate or missing share, and records every argv (without the tool).
 */
export const makeVBoxManageFake = Effect.gen(function*() {
  const calls = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
  const shares = new Map<string, Array<SharedFolderInfo>>()
  const ok = (stdout = ""): RunResult => ({ exitCode: 0, stdout, stderr: "", durationMs: 1 })
  const failed = (args: ReadonlyArray<string>, message: string) =>
    Effect.fail(new CommandFailed({ command: ["VBoxManage", ...args], exitCode: 1, stderrTail: `VBoxManage: error: ${message}` }))
  const run: CliRun = (args) =>
    Effect.gen(function*() {
      yield* Ref.update(calls, (all) => [...all, [...args]])
      const [verb, sub, uuid] = args
      const flag = (name: string) => args[args.indexOf(name) + 1]!
      if (verb === "showvminfo") {
        const lines = (shares.get(sub!) ?? []).map((s, i) => {
          const kind = s.transient ? "Transient" : "Machine"
          return `SharedFolderName${kind}Mapping${i + 1}="${s.name}"\nSharedFolderPath${kind}Mapping${i + 1}="${s.hostPath}"`
        })
        return ok([`name="fake"`, `UUID="${sub}"`, `VMState="running"`, ...lines].join("\n") + "\n")
      }
      if (verb === "sharedfolder" && sub === "add") {
        const list = shares.get(uuid!) ?? []
        if (list.some((s) => s.name === flag("--name"))) return yield* failed(args, "shared folder already exists")
        shares.set(uuid!, [...list, { name: flag("--name"), hostPath: flag("--hostpath"), transient: args.includes("--transient") }])
        return ok()
      }
      if (verb === "sharedfolder" && sub === "remove") {
        const list = shares.get(uuid!) ?? []
        const transient = args.includes("--transient")
        const index = list.findIndex((s) => s.name === flag("--name") && s.transient === transient)
        if (index < 0) return yield* failed(args, "no such shared folder")
        shares.set(uuid!, list.filter((_, i) => i !== index))
        return ok()
      }
      return yield* Effect.dieMessage(`fake VBoxManage: unsupported ${args.join(" ")}`)
    })
  return {
    calls: Ref.get(calls),
    shares,
    layer: Layer.succeed(VBoxManage, VBoxManage.of(makeVBoxManage(run)))
  }
})
