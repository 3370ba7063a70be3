import { CommandFailed, Progress, SshFailed } from "@vm/core"
import { tail } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import { SshClient } from "../SshClient.js"
import { VagrantProjectTag } from "../project/VagrantProject.js"

const PROBE = "echo vm-ok"

/** Runs a guest command over the machine's ssh connection; a non-zero exit is a CommandFailed. */
export const guestCommand = (name: string, command: string, timeoutMs: number) =>
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const ssh = yield* SshClient
    const target = yield* p.sshTarget(name)
    const r = yield* ssh.exec(target, command, { output: "capture", timeoutMs })
    if (r.exitCode !== 0) {
      return yield* new CommandFailed({ command: ["ssh", name, command], exitCode: r.exitCode, stderrTail: tail(r.stderr || r.stdout) })
    }
    return r.stdout
  })

/** One `echo` over ssh: does the machine answer? */
export const probeSsh = (name: string, timeoutMs: number) =>
  guestCommand(name, PROBE, timeoutMs).pipe(
    Effect.flatMap((out) =>
      out.trim() === "vm-ok"
        ? Effect.void
        : Effect.fail(new SshFailed({ machine: name, reason: `unexpected answer to '${PROBE}': ${JSON.stringify(out)}` }))
    )
  )

/** Healthy = ssh answers an `echo`; retried each second (connection errors only), bounded by `timeoutMs`. */
export const waitHealthy = (name: string, timeoutMs: number) =>
  Effect.flatMap(Progress, (progress) =>
    progress.phase(
      `Waiting for ${name} to answer over ssh`,
      probeSsh(name, Math.min(timeoutMs, 15_000)).pipe(
        Effect.retry({
          schedule: Schedule.spaced("1 second"),
          while: (e) => e._tag === "SshFailed" || e._tag === "CommandTimeout" || e._tag === "CommandFailed"
        }),
        Effect.timeoutFail({
          duration: timeoutMs,
          onTimeout: () => new SshFailed({ machine: name, reason: `no answer over ssh within ${Math.round(timeoutMs / 1000)} s` })
        })
      )
    ))
