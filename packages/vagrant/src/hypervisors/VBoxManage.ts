import { CommandFailed, type CommandTimeout, ParseFailed, type ToolNotInstalled } from "@vm/core/errors"
import { ProcessRunner, type RunResult } from "@vm/core/process/ProcessRunner"
import { Context, Effect, Layer, Ref } from "effect"
import { onPath } from "../VagrantProvider.js"

export type VBoxManageError = CommandFailed | CommandTimeout | ToolNotInstalled

export interface SharedFolderInfo {
  readonly name: string
  readonly hostPath: string
  /** Added with --transient (gone when the VM powers off). */
  readonly transient: boolean
}

export interface SharedFolderSpec {
  readonly name: string
  readonly hostPath: string
  readonly readonly: boolean
}

export interface VBoxManageShape {
  /** `VBoxManage <args>`, output captured, bounded by `timeoutMs`. */
  readonly run: (args: ReadonlyArray<string>, options: { readonly timeoutMs: number }) => Effect.Effect<RunResult, VBoxManageError>
  /** Is VBoxManage installed? */
  readonly available: Effect.Effect<boolean>
  /** Shares a host directory with a running VM until it powers off (`--readonly` is enforced by the host). */
  readonly addTransientShare: (uuid: string, share: SharedFolderSpec) => Effect.Effect<void, VBoxManageError>
  readonly removeTransientShare: (uuid: string, name: string) => Effect.Effect<void, VBoxManageError>
  /** Permanent and transient shared folders of a VM. */
  readonly sharedFolders: (uuid: string) => Effect.Effect<ReadonlyArray<SharedFolderInfo>, VBoxManageError | ParseFailed>
}

/** VirtualBox's own CLI: live shared folders without a `vagrant reload`. */
export class VBoxManage extends Context.Tag("@vm/vagrant/VBoxManage")<VBoxManage, VBoxManageShape>() {}

const TIMEOUT_MS = 30_000

/** VBoxManage's machine-readable strings escape `\` and `"` with a backslash. */
const unquote = (value: string) => value.replace(/\\(["\\])/g, "$1").replace(/\\n/g, "\n")

/** Shared folders from `showvminfo --machinereadable`. */
export const parseSharedFolders = (text: string): ReadonlyArray<SharedFolderInfo> => {
  const slots = new Map<string, { name?: string; hostPath?: string; transient: boolean }>()
  for (const line of text.split("\n")) {
    const m = /^SharedFolder(Name|Path)(Machine|Transient)Mapping(\d+)="(.*)"\s*$/.exec(line)
    if (!m) continue
    const key = `${m[2]}${m[3]}`
    const slot = slots.get(key) ?? { transient: m[2] === "Transient" }
    if (m[1] === "Name") slot.name = unquote(m[4]!)
    else slot.hostPath = unquote(m[4]!)
    slots.set(key, slot)
  }
  return [...slots.values()].flatMap((s) =>
    s.name === undefined ? [] : [{ name: s.name, hostPath: s.hostPath ?? "", transient: s.transient }]
  )
}

/** The typed helpers over any `run` (live or fake), so both issue exactly the same argv. */
export const makeVBoxManage = (
  run: VBoxManageShape["run"],
  available: Effect.Effect<boolean>
): VBoxManageShape => ({
  run,
  available,
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
    ], { timeoutMs: TIMEOUT_MS }).pipe(Effect.asVoid),
  removeTransientShare: (uuid, name) =>
    run(["sharedfolder", "remove", uuid, "--name", name, "--transient"], { timeoutMs: TIMEOUT_MS }).pipe(Effect.asVoid),
  sharedFolders: (uuid) =>
    run(["showvminfo", uuid, "--machinereadable"], { timeoutMs: TIMEOUT_MS }).pipe(
      Effect.flatMap((r) =>
        r.stdout.includes("=")
          ? Effect.succeed(parseSharedFolders(r.stdout))
          : Effect.fail(new ParseFailed({ what: "VBoxManage showvminfo output", input: r.stdout, reason: "no key=value lines" }))
      )
    )
})

export const VBoxManageLive = Layer.effect(
  VBoxManage,
  Effect.map(ProcessRunner, (processes) =>
    VBoxManage.of(makeVBoxManage(
      (args, options) =>
        processes.run("VBoxManage", args, {
          timeoutMs: options.timeoutMs,
          installHint: "install VirtualBox (it provides VBoxManage)"
        }),
      Effect.sync(() => onPath("VBoxManage"))
    )))
)

/**
 * A simulated VirtualBox for unit tests: keeps each VM's shared folders, answers showvminfo,
 * fails like VBoxManage on a duplicate or missing share, and records every argv.
 */
export const makeVBoxManageFake = Effect.gen(function*() {
  const calls = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
  const shares = new Map<string, Array<SharedFolderInfo>>()
  const ok = (stdout = ""): RunResult => ({ exitCode: 0, stdout, stderr: "", durationMs: 1 })
  const failed = (args: ReadonlyArray<string>, message: string) =>
    Effect.fail(new CommandFailed({ command: ["VBoxManage", ...args], exitCode: 1, stderrTail: `VBoxManage: error: ${message}` }))
  const run: VBoxManageShape["run"] = (args) =>
    Effect.gen(function*() {
      yield* Ref.update(calls, (all) => [...all, [...args]])
      const [verb, sub, uuid] = args
      const flag = (name: string) => args[args.indexOf(name) + 1]!
      if (verb === "showvminfo") {
        const lines = (shares.get(sub!) ?? []).map((s, i) => {
          const kind = s.transient ? "Transient" : "Machine"
          return `SharedFolderName${kind}Mapping${i + 1}="${s.name}"\nSharedFolderPath${kind}Mapping${i + 1}="${s.hostPath}"`
        })
        return ok([`name="fake"`, `UUID="${sub}"`, ...lines].join("\n") + "\n")
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
    layer: Layer.succeed(VBoxManage, VBoxManage.of(makeVBoxManage(run, Effect.succeed(true))))
  }
})
