import { type CommandFailed, type CommandTimeout, type ExecResult, type OutputMode, SshFailed, type ToolNotInstalled } from "@vm/core"
import { ProcessRunner } from "@vm/core/provider"
import { shellQuote } from "./shell.js"
import { OPENSSH_VERSION_LINE } from "./testing/fixtures/hostChecks.js"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Os from "node:os"
import * as Path from "node:path"

/** A host alias inside an OpenSSH config file written from `vagrant ssh-config`. */
export interface SshTarget {
  readonly configFile: string
  readonly host: string
}

export interface SshExecOptions {
  readonly output: OutputMode
  /** Bounds the whole command; undefined = only the connection is bounded (like `docker exec`). */
  readonly timeoutMs?: number
  readonly stdin?: string | "inherit"
}

export interface SshClientShape {
  /** Runs a remote shell command over a multiplexed connection; resolves with the remote exit code. */
  readonly exec: (
    target: SshTarget,
    remoteCommand: string,
    options: SshExecOptions
  ) => Effect.Effect<ExecResult, SshFailed | CommandTimeout | ToolNotInstalled>
  /** An interactive session with a terminal; resolves with the remote exit code. */
  readonly interactive: (target: SshTarget, remoteCommand: string) => Effect.Effect<number, SshFailed | ToolNotInstalled>
  /** Closes the multiplexed master connection, if any (after a machine restarts or is destroyed). */
  readonly disconnect: (target: SshTarget) => Effect.Effect<void>
  /** `ssh -V`: the client's version line (OpenSSH prints it on stderr). */
  readonly version: (timeoutMs: number) => Effect.Effect<string, CommandFailed | CommandTimeout | ToolNotInstalled>
  /** The control directory as it is now, judged without creating it (`vm doctor`). */
  readonly controlDir: Effect.Effect<ControlDirState>
}

export interface ControlDirState {
  readonly dir: string
  /** Not made yet: the first ssh connection makes it (mode 700). */
  readonly missing: boolean
  /** Why ssh must not use it (see controlDirProblem), if it must not. */
  readonly problem: string | undefined
}

/** OpenSSH, talked to directly: Vagrant's own `vagrant ssh` costs a Ruby start-up (~1 s) per call. */
export class SshClient extends Context.Tag("@vm/vagrant/SshClient")<SshClient, SshClientShape>() {}

/**
 * Where the multiplexed connections' sockets live: the user's runtime directory when there is one
 * (per-user, made by the login manager), else /tmp/vm-ssh-<uid>. ControlPath must stay short
 * (sun_path is 108 bytes), so never under the project.
 */
export const controlDirFor = (env: { readonly XDG_RUNTIME_DIR?: string | undefined }, uid: number): string =>
  env.XDG_RUNTIME_DIR !== undefined && env.XDG_RUNTIME_DIR.startsWith("/") && env.XDG_RUNTIME_DIR.length < 60
    ? Path.join(env.XDG_RUNTIME_DIR, "vm-ssh")
    : Path.join(Os.tmpdir(), `vm-ssh-${uid}`)

/**
 * Pure: why a control directory must not be used, as OpenSSH judges ~/.ssh: it must be a real
 * directory (not a symlink), owned by this user, and closed to everyone else; another local user who
 * made it first could otherwise plant sockets that ssh would talk to.
 */
export const controlDirProblem = (
  info: { readonly isSymlink: boolean; readonly isDirectory: boolean; readonly uid: number | undefined; readonly mode: number },
  uid: number
): string | undefined => {
  if (info.isSymlink) return "is a symbolic link"
  if (!info.isDirectory) return "is not a directory"
  if (info.uid !== undefined && info.uid !== uid) return `is owned by uid ${info.uid}, not by you (uid ${uid})`
  if ((info.mode & 0o077) !== 0) return `is accessible to other users (mode ${(info.mode & 0o777).toString(8)}, needs 700)`
  return undefined
}

/** The control directory as it is, without changing anything. */
export const inspectControlDir = (dir: string, uid: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const isSymlink = yield* fs.readLink(dir).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
    const info = yield* fs.stat(dir).pipe(Effect.option)
    if (Option.isNone(info)) {
      return { dir, missing: !isSymlink, problem: isSymlink ? "is a symbolic link" : undefined } satisfies ControlDirState
    }
    const problem = controlDirProblem(
      { isSymlink, isDirectory: info.value.type === "Directory", uid: Option.getOrUndefined(info.value.uid), mode: info.value.mode },
      uid
    )
    return { dir, missing: false, problem } satisfies ControlDirState
  })

/** The fix for a control directory ssh must not use. */
export const controlDirFix = (dir: string) => `remove it (another user may have made it) and retry: rm -rf ${shellQuote(dir)}`

/** Makes the control directory (mode 700) or checks the one there; fails naming the problem and the fix. */
export const ensureControlDir = (dir: string, uid: number) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    if (!(yield* fs.exists(dir).pipe(Effect.orElseSucceed(() => false)))) {
      yield* fs.makeDirectory(dir, { recursive: true, mode: 0o700 }).pipe(Effect.ignore)
    }
    const state = yield* inspectControlDir(dir, uid)
    const problem = state.missing ? "cannot be created or read" : state.problem
    if (problem !== undefined) {
      return yield* Effect.fail(`the ssh control directory ${dir} ${problem}; ${controlDirFix(dir)}`)
    }
    return dir
  })

export const sshOptions = (target: SshTarget, tty: boolean, controlDir: string): ReadonlyArray<string> => [
  "-F",
  target.configFile,
  tty ? "-t" : "-T",
  "-o",
  "BatchMode=yes",
  "-o",
  "ConnectTimeout=10",
  "-o",
  "ServerAliveInterval=5",
  "-o",
  "ServerAliveCountMax=3",
  "-o",
  "ControlMaster=auto",
  "-o",
  `ControlPath=${controlDir}/%C`,
  "-o",
  "ControlPersist=300"
]

const INSTALL_HINT = "Debian/Ubuntu: sudo apt-get install openssh-client"
/** OpenSSH's own failure code; a remote command could exit 255 too, which is then reported as an ssh failure. */
const SSH_FAILURE = 255

export const SshClientLive = Layer.effect(
  SshClient,
  Effect.gen(function*() {
    const processes = yield* ProcessRunner
    const fs = yield* FileSystem.FileSystem
    const uid = process.getuid?.() ?? 0
    const controlDir = controlDirFor({ XDG_RUNTIME_DIR: process.env["XDG_RUNTIME_DIR"] }, uid)
    const dir = yield* Effect.cached(
      ensureControlDir(controlDir, uid).pipe(Effect.provideService(FileSystem.FileSystem, fs))
    )
    const options = (target: SshTarget, tty: boolean) =>
      Effect.map(Effect.mapError(dir, (reason) => new SshFailed({ machine: target.host, reason })), (d) => sshOptions(target, tty, d))
    return SshClient.of({
      exec: (target, remoteCommand, execOptions) =>
        Effect.flatMap(options(target, false), (args) =>
        processes.run("ssh", [...args, "--", target.host, remoteCommand], {
          timeoutMs: execOptions.timeoutMs ?? "none",
          stdin: execOptions.stdin ?? "",
          stdout: execOptions.output,
          stderr: execOptions.output,
          check: false,
          installHint: INSTALL_HINT
        }).pipe(
          Effect.catchTag("CommandFailed", (e) => Effect.fail(new SshFailed({ machine: target.host, reason: e.message }))),
          Effect.flatMap((r) =>
            r.exitCode === SSH_FAILURE
              ? Effect.fail(new SshFailed({ machine: target.host, reason: r.stderr.trim() || "connection failed (exit 255)" }))
              : Effect.succeed({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr })
          )
        )),
      interactive: (target, remoteCommand) =>
        Effect.flatMap(options(target, true), (args) =>
        processes.run("ssh", [...args, "--", target.host, remoteCommand], {
          timeoutMs: "none",
          stdin: "inherit",
          stdout: "inherit",
          stderr: "inherit",
          check: false,
          installHint: INSTALL_HINT
        }).pipe(
          Effect.catchTag("CommandTimeout", () => Effect.dieMessage("interactive ssh has no timeout")),
          Effect.catchTag("CommandFailed", (e) => Effect.fail(new SshFailed({ machine: target.host, reason: e.message }))),
          Effect.flatMap((r) =>
            r.exitCode === SSH_FAILURE
              ? Effect.fail(new SshFailed({ machine: target.host, reason: "connection failed (exit 255)" }))
              : Effect.succeed(r.exitCode)
          )
        )),
      disconnect: (target) =>
        Effect.flatMap(options(target, false), (args) =>
          processes.run("ssh", [...args, "-O", "exit", target.host], {
            timeoutMs: 5000,
            check: false
          })).pipe(Effect.ignore),
      version: (timeoutMs) =>
        processes.run("ssh", ["-V"], { timeoutMs, installHint: INSTALL_HINT }).pipe(
          Effect.map((r) => (r.stderr.trim() || r.stdout.trim()).split("\n")[0]!)
        ),
      controlDir: inspectControlDir(controlDir, uid).pipe(Effect.provideService(FileSystem.FileSystem, fs))
    })
  })
)

/** How a fake ssh answers one remote command (undefined: not scripted, the call dies naming it). */
export type SshAnswer = (
  target: SshTarget,
  remoteCommand: string
) => Effect.Effect<ExecResult | undefined, SshFailed | CommandTimeout | ToolNotInstalled>

/**
 * The one fake ssh for unit tests: `exec` answers from `answer` (every call recorded in `log` when
 * given), `interactive` exits with the same answer's code; an unscripted command dies, so a test
 * that forgets to script ssh fails loudly instead of reaching a real host.
 */
export const SshClientFake = (
  answer: SshAnswer = () => Effect.succeed(undefined),
  log?: { readonly record: (entry: { readonly host: string; readonly command: string }) => Effect.Effect<void> },
  host: Parameters<typeof sshHostFake>[0] = {}
) => {
  const run = (target: SshTarget, command: string) =>
    Effect.gen(function*() {
      if (log !== undefined) yield* log.record({ host: target.host, command })
      const result = yield* answer(target, command)
      if (result === undefined) return yield* Effect.dieMessage(`unscripted ssh to ${target.host}: ${command}`)
      return result
    })
  return Layer.succeed(
    SshClient,
    SshClient.of({
      exec: run,
      interactive: (target, command) =>
        run(target, command).pipe(
          Effect.map((r) => r.exitCode),
          Effect.catchTag("CommandTimeout", () => Effect.dieMessage("interactive ssh has no timeout"))
        ),
      disconnect: () => Effect.void,
      ...sshHostFake(host)
    })
  )
}

/** A fake's host side: the recorded OpenSSH version line and a usable control directory, unless told otherwise. */
export const sshHostFake = (
  host: {
    readonly version?: Effect.Effect<string, CommandFailed | CommandTimeout | ToolNotInstalled>
    readonly controlDir?: ControlDirState
  } = {}
): Pick<SshClientShape, "version" | "controlDir"> => ({
  version: () => host.version ?? Effect.succeed(OPENSSH_VERSION_LINE),
  controlDir: Effect.succeed(host.controlDir ?? { dir: "/run/user/1000/vm-ssh", missing: false, problem: undefined })
})
