import type { KillReport } from "@vm/core/ForceKill"
import { describe, expect, it } from "vitest"
import { budgetSinceProcessStart, renderKillReport } from "../src/run/kill.js"

const base = { name: "dev", provider: "docker", machineId: "3f2a9c0d5e6b7a8c", warnings: [] }

describe("vm kill output", () => {
  it("says which step stopped the machine and how long it took, then every step tried", () => {
    const report: KillReport = {
      ...base,
      step: "hypervisor-stop",
      durationMs: 1432,
      stepsTried: [
        {
          step: "vagrant-halt",
          command: "vagrant halt --force dev",
          outcome: "failed",
          durationMs: 1101,
          error: "another Vagrant process holds this machine's lock (MachineActionLockedError)"
        },
        { step: "hypervisor-stop", command: "docker kill 3f2a9c0d5e6b…", outcome: "stopped", durationMs: 240 }
      ]
    }
    expect(renderKillReport(report)).toEqual([
      "dev: powered off by `docker kill 3f2a9c0d5e6b…` in 1.4 s (docker)",
      "  vagrant halt --force dev: failed after 1.1 s: another Vagrant process holds this machine's lock (MachineActionLockedError)",
      "  docker kill 3f2a9c0d5e6b…: stopped the machine in 0.2 s"
    ])
  })

  it("reports a timeout and an already-off machine plainly", () => {
    expect(renderKillReport({
      ...base,
      step: "vagrant-halt",
      durationMs: 3100,
      stepsTried: [{ step: "vagrant-halt", command: "vagrant halt --force dev", outcome: "timeout", durationMs: 3000 }]
    })[1]).toBe("  vagrant halt --force dev: timed out after 3.0 s")
    expect(renderKillReport({ ...base, step: "already-off", durationMs: 40, stepsTried: [] })).toEqual([
      "dev: already off, nothing to kill (docker)"
    ])
  })

  it("gives the ladder what is left of 5 s since the process started, never less than 2.5 s", () => {
    const expected = Math.max(2500, 5000 - process.uptime() * 1000 - 150)
    expect(Math.abs(budgetSinceProcessStart() - expected)).toBeLessThan(50)
  })
})
