import { ProcessNotFound } from "@vm/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { findVmProcesses, type HostProcessesShape, type VmProcessPattern } from "../hypervisors/HostProcesses.js"
import { bounded, POLL_INTERVAL_MS, type Rung } from "./ladder.js"

/**
 * Rung 3: when the hypervisor CLI hangs (VBoxManage waiting on a wedged VBoxSVC), end the VM's own
 * process, found by its uuid on the command line. Verified by that process having ended (gone or a
 * zombie), not only by its command line disappearing, which happens while it is still exiting.
 */
export const processKillRung = (
  host: HostProcessesShape,
  pattern: VmProcessPattern,
  capMs: number,
  reserveMs: number
): Rung => {
  const find = (timeoutMs: number) =>
    Effect.map(host.list(timeoutMs), (processes) => findVmProcesses(processes, pattern))
  let killed: ReadonlyArray<number> = []
  return {
    step: "process-kill",
    command: `kill -KILL <${pattern.programs[0]} ${pattern.flag} ${pattern.value}>`,
    capMs,
    reserveMs,
    run: (timeoutMs) =>
      Effect.gen(function*() {
        const pids = yield* find(timeoutMs)
        if (pids.length === 0) {
          return yield* new ProcessNotFound({ description: `${pattern.programs.join("/")} with ${pattern.flag} ${pattern.value}` })
        }
        killed = pids
        yield* Effect.forEach(pids, host.kill, { discard: true })
      }),
    verify: (windowMs) =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeMillis) + windowMs
        while (true) {
          const left = deadline - (yield* Clock.currentTimeMillis)
          const pids = yield* Effect.either(bounded(find(Math.max(left, 1)), Math.max(left, 1), ["read", "/proc"]))
          const exiting = yield* Effect.filter(killed, host.running)
          if (pids._tag === "Right" && pids.right.length === 0 && exiting.length === 0) return { off: true }
          if (deadline - (yield* Clock.currentTimeMillis) < 2 * POLL_INTERVAL_MS) {
            const still = pids._tag === "Right" ? [...new Set([...pids.right, ...exiting])] : exiting
            return { off: false, detail: pids._tag === "Right" || still.length > 0 ? `pid ${still.join(", ")} still there` : "process table unreadable" }
          }
          yield* Effect.sleep(Duration.millis(POLL_INTERVAL_MS))
        }
      })
  }
}
