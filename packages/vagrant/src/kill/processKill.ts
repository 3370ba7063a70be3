import { ProcessNotFound } from "@vm/core"
import { Clock, Duration, Effect } from "effect"
import { findVmProcesses, type HostProcessesShape, type VmProcessPattern } from "../hypervisors/HostProcesses.js"
import { bounded, POLL_INTERVAL_MS, type Rung } from "./ladder.js"

/**
 * Rung 3: when the hypervisor CLI hangs (VBoxManage waiting on a wedged VBoxSVC), end the VM's own
 * process, found by its uuid on the command line. Verified by the process being gone.
 */
export const processKillRung = (
  host: HostProcessesShape,
  pattern: VmProcessPattern,
  capMs: number,
  reserveMs: number
): Rung => {
  const find = (timeoutMs: number) =>
    Effect.map(host.list(timeoutMs), (processes) => findVmProcesses(processes, pattern))
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
        yield* Effect.forEach(pids, host.kill, { discard: true })
      }),
    verify: (windowMs) =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeMillis) + windowMs
        while (true) {
          const left = deadline - (yield* Clock.currentTimeMillis)
          const pids = yield* Effect.either(bounded(find(Math.max(left, 1)), Math.max(left, 1), ["read", "/proc"]))
          if (pids._tag === "Right" && pids.right.length === 0) return { off: true }
          if (deadline - (yield* Clock.currentTimeMillis) < 2 * POLL_INTERVAL_MS) {
            return { off: false, detail: pids._tag === "Right" ? `pid ${pids.right.join(", ")} still there` : "process table unreadable" }
          }
          yield* Effect.sleep(Duration.millis(POLL_INTERVAL_MS))
        }
      })
  }
}
