import { CommandFailed, CommandTimeout, type ToolNotInstalled } from "@vm/core"
import { ProcessRunner } from "@vm/core/provider"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as NodePath from "node:path"
import type { CliCall } from "./cli.js"
import { HostTools } from "./HostTools.js"

export interface HostProcess {
  readonly pid: number
  readonly argv: ReadonlyArray<string>
}

export type HostProcessError = CommandFailed | CommandTimeout | ToolNotInstalled

export interface HostProcessesShape {
  /** Every host process with its argv (Linux: /proc/<pid>/cmdline; elsewhere `ps`). */
  readonly list: (timeoutMs: number) => Effect.Effect<ReadonlyArray<HostProcess>, HostProcessError>
  /** SIGKILL; a process that is already gone counts as killed. */
  readonly kill: (pid: number) => Effect.Effect<void, CommandFailed>
  /**
   * Whether the process still runs: not gone and not a zombie. A killed process releases its memory (its
   * cmdline reads empty) before it is a zombie; in between it is still exiting, and its VM not yet off.
   */
  readonly running: (pid: number) => Effect.Effect<boolean>
}

/**
 * The host's process table: the last resort when a hypervisor CLI hangs (VBoxManage blocked on
 * VBoxSVC) is ending the VM's own process, found by the uuid on its command line.
 */
export class HostProcesses extends Context.Tag("@vm/vagrant/HostProcesses")<HostProcesses, HostProcessesShape>() {}

export interface VmProcessPattern {
  /** Program basenames, e.g. VBoxHeadless, VirtualBoxVM. */
  readonly programs: ReadonlyArray<string>
  /** The argv pair naming the VM, e.g. `--startvm <uuid>`. */
  readonly flag: string
  readonly value: string
}

/** Pure: the pids of processes running one of `programs` with `flag value` adjacent in their argv. */
export const findVmProcesses = (processes: ReadonlyArray<HostProcess>, pattern: VmProcessPattern): ReadonlyArray<number> =>
  processes.filter(({ argv }) =>
    argv.length > 0 &&
    pattern.programs.includes(NodePath.basename(argv[0]!)) &&
    argv.some((a, i) => a === pattern.flag && argv[i + 1]?.toLowerCase() === pattern.value.toLowerCase())
  ).map((p) => p.pid)

/**
 * Pure: a `/proc/<pid>/stat` line → whether that process still runs. The state follows the last `)` (the
 * command name may contain any character): Z (zombie) and X (dead) have ended; anything else has not.
 */
export const statIsRunning = (stat: string): boolean => {
  const close = stat.lastIndexOf(")")
  const state = close < 0 ? "" : stat.slice(close + 2, close + 3)
  return state !== "" && state !== "Z" && state !== "X"
}

/** `/proc/<pid>/cmdline` is NUL-separated with a trailing NUL. */
export const parseCmdline = (raw: string): ReadonlyArray<string> => raw.split("\0").filter((a, i, all) => i < all.length - 1 || a !== "")

/** Every process of /proc with its argv; processes that end while being read are left out. */
const readProc = (fs: FileSystem.FileSystem) =>
  Effect.gen(function*() {
    const pids = (yield* fs.readDirectory("/proc")).filter((d) => /^\d+$/.test(d))
    const argvs = yield* Effect.forEach(pids, (pid) => Effect.option(fs.readFileString(`/proc/${pid}/cmdline`)), {
      concurrency: 32
    })
    return argvs.flatMap((a, i) => a._tag === "Some" && a.value !== "" ? [{ pid: Number(pids[i]), argv: parseCmdline(a.value) }] : [])
  })

export const HostProcessesLive = Layer.effect(
  HostProcesses,
  Effect.gen(function*() {
    const processes = yield* ProcessRunner
    const fs = yield* FileSystem.FileSystem
    const host = yield* HostTools
    const procList = (timeoutMs: number) =>
      readProc(fs).pipe(
        Effect.mapError((e) => new CommandFailed({ command: ["read", "/proc"], exitCode: -1, stderrTail: e.message })),
        // a process stuck in the kernel can block reading its cmdline: never wait past the deadline
        Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => new CommandTimeout({ command: ["read", "/proc"], timeoutMs }) })
      )
    // macOS has no /proc; `ps` joins argv with spaces, enough to match a uuid token
    const psList = (timeoutMs: number) =>
      processes.run("ps", ["-axww", "-o", "pid=", "-o", "args="], { timeoutMs }).pipe(
        Effect.map((r) =>
          r.stdout.split("\n").flatMap((line) => {
            const m = /^\s*(\d+)\s+(.*)$/.exec(line)
            return m ? [{ pid: Number(m[1]), argv: m[2]!.split(/\s+/) }] : []
          })
        )
      )
    return HostProcesses.of({
      list: (timeoutMs) => host.platform === "linux" ? procList(timeoutMs) : psList(timeoutMs),
      kill: (pid) =>
        Effect.try({
          try: () => {
            try {
              process.kill(pid, "SIGKILL")
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e
            }
          },
          catch: (e) => new CommandFailed({ command: ["kill", "-KILL", String(pid)], exitCode: 1, stderrTail: String(e) })
        }),
      running: (pid) =>
        host.platform === "linux"
          ? fs.readFileString(`/proc/${pid}/stat`).pipe(Effect.map(statIsRunning), Effect.orElseSucceed(() => false))
          : Effect.sync(() => {
            // signal 0 tests existence only (no /proc to tell a zombie)
            try {
              process.kill(pid, 0)
              return true
            } catch (e) {
              return (e as NodeJS.ErrnoException).code === "EPERM"
            }
          })
    })
  })
)

/**
 * A process table for tests: `list` answers from `table` (or hangs when `hang` is set),
 * `kill` removes the pid and records `["kill", "-KILL", pid]` in `log`.
 */
export const HostProcessesFake = (
  table: Map<number, ReadonlyArray<string>>,
  log: Ref.Ref<ReadonlyArray<CliCall>>,
  options: { readonly hang?: boolean } = {}
) =>
  Layer.succeed(
    HostProcesses,
    HostProcesses.of({
      list: (timeoutMs) =>
        (options.hang ? Effect.never : Effect.sync(() => [...table].map(([pid, argv]) => ({ pid, argv })))).pipe(
          Effect.timeoutFail({ duration: timeoutMs, onTimeout: () => new CommandTimeout({ command: ["read", "/proc"], timeoutMs }) })
        ),
      kill: (pid) =>
        Ref.update(log, (all) => [...all, ["kill", "-KILL", String(pid)]]).pipe(Effect.zipRight(Effect.sync(() => {
          table.delete(pid)
        }))),
      running: (pid) => Effect.sync(() => table.has(pid))
    })
  )
