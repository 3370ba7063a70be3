import { type CommandTimeout, SshFailed, type ToolNotInstalled } from "@vm/core/errors"
import type { ExecResult, OutputMode } from "@vm/core/model"
import { ProcessRunner } from "@vm/core/process/ProcessRunner"
import { Context, Effect, Layer } from "effect"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Fs from "node:fs"

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
}

/** OpenSSH, talked to directly: Vagrant's own `vagrant ssh` costs a Ruby start-up (~1 s) per call. */
export class SshClient extends Context.Tag("@vm/vagrant/SshClient")<SshClient, SshClientShape>() {}

/** ControlPath must stay short (sun_path is 108 bytes), so it lives in /tmp, private to this user. */
export const controlDir = () => {
  const dir = Path.join(Os.tmpdir(), `vm-ssh-${process.getuid?.() ?? "u"}`)
  Fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

export const sshOptions = (target: SshTarget, tty: boolean): ReadonlyArray<string> => [
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
  `ControlPath=${controlDir()}/%C`,
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
    return SshClient.of({
      exec: (target, remoteCommand, options) =>
        processes.run("ssh", [...sshOptions(target, false), "--", target.host, remoteCommand], {
          timeoutMs: options.timeoutMs ?? "none",
          stdin: options.stdin ?? "",
          stdout: options.output,
          stderr: options.output,
          check: false,
          installHint: INSTALL_HINT
        }).pipe(
          Effect.catchTag("CommandFailed", (e) => Effect.fail(new SshFailed({ machine: target.host, reason: e.message }))),
          Effect.flatMap((r) =>
            r.exitCode === SSH_FAILURE
              ? Effect.fail(new SshFailed({ machine: target.host, reason: r.stderr.trim() || "connection failed (exit 255)" }))
              : Effect.succeed({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr })
          )
        ),
      interactive: (target, remoteCommand) =>
        processes.run("ssh", [...sshOptions(target, true), "--", target.host, remoteCommand], {
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
        ),
      disconnect: (target) =>
        processes.run("ssh", [...sshOptions(target, false), "-O", "exit", target.host], {
          timeoutMs: 5000,
          check: false
        }).pipe(Effect.ignore)
    })
  })
)
