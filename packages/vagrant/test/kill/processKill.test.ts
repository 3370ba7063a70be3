import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type HostProcessesShape, statIsRunning } from "../../src/hypervisors/HostProcesses.js"
import { processKillRung } from "../../src/kill/processKill.js"

// /proc/<pid>/stat lines recorded on Debian 12 (Linux 6.1): `sh -c 'sleep 0 & exec sleep 3'`, the reaped-never
// child (a zombie) and its parent (sleeping); the third is the parent's line with a hostile command name.
const ZOMBIE = "23531 (sleep) Z 23529 23527 315 0 -1 4227084 95 0 0 0 0 0 0 0 20 0 1 0 1775666 0 0 18446744073709551615 0 0 0 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0"
const SLEEPING = "23529 (sleep) S 23527 23527 315 0 -1 4194304 220 0 1 0 0 0 0 0 20 0 1 0 1775666 2990080 418 18446744073709551615 94741470334976 94741470352905 140730512530976 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94741470366992 94741470368256 94741943570432 140730512538347 140730512538355 140730512538355 140730512539625 0"

describe("statIsRunning", () => {
  it("a zombie or dead process has ended; a sleeping, running or uninterruptible one has not", () => {
    expect(statIsRunning(ZOMBIE)).toBe(false)
    expect(statIsRunning(SLEEPING)).toBe(true)
    expect(statIsRunning(SLEEPING.replace(" S ", " D "))).toBe(true)
    expect(statIsRunning(SLEEPING.replace(" S ", " X "))).toBe(false)
    // the name may hold spaces and parentheses: the state follows the LAST ')'
    expect(statIsRunning(ZOMBIE.replace("(sleep)", "(a) S (b)"))).toBe(false)
    expect(statIsRunning(SLEEPING.replace("(sleep)", "(x) Z (y)"))).toBe(true)
    expect(statIsRunning("")).toBe(false)
  })
})

describe("process-kill rung", () => {
  const pattern = { programs: ["qemu-system-x86_64"], flag: "-uuid", value: "u-1" }
  /** A QEMU process whose cmdline disappears at SIGKILL but which keeps exiting for `exitingChecks` more looks. */
  const host = (exitingChecks: number) => {
    let listed = true
    let checks = 0
    const shape: HostProcessesShape = {
      list: () => Effect.succeed(listed ? [{ pid: 42, argv: ["/usr/bin/qemu-system-x86_64", "-uuid", "u-1"] }] : []),
      kill: () => Effect.sync(() => void (listed = false)),
      running: () => Effect.sync(() => checks++ < exitingChecks)
    }
    return { shape, checks: () => checks }
  }

  it.live("is verified only once the killed process has ended, not when its command line is gone", () =>
    Effect.gen(function*() {
      const h = host(2)
      const rung = processKillRung(h.shape, pattern, 1000, 0)
      yield* rung.run(1000)
      expect(yield* rung.verify(2000)).toEqual({ off: true })
      expect(h.checks()).toBe(3)
    }))

  it.live("a process that never ends is not off, and the report names its pid", () =>
    Effect.gen(function*() {
      const rung = processKillRung(host(1_000_000).shape, pattern, 1000, 0)
      yield* rung.run(1000)
      expect(yield* rung.verify(600)).toEqual({ off: false, detail: "pid 42 still there" })
    }))
})
