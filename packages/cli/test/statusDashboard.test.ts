import { noResources, type StatusReport } from "@vm/core/StatusReport"
import { describe, expect, it } from "vitest"
import { formatUptime, renderDashboard, useColor } from "../src/statusDashboard.js"

const running: StatusReport = {
  name: "dev",
  machine: "dev",
  provider: "docker",
  machineId: "818ae6bd5bb849bdf36347eb29142535e26e6be3153f6b33d2aaeadcc23b8e8e",
  state: "running",
  rawState: "running",
  isRunning: true,
  uptimeSeconds: 3725,
  resources: { cpuPercent: 12.7, cpuWindowSeconds: 0.2, cpuCount: 2, memoryUsedMb: 819.2, memoryLimitMb: 2048, diskUsedGb: 23.13, diskTotalGb: 251.97 },
  services: [
    { name: "web", isRunning: true, port: 8080, hostPort: 8080, detail: "pid 162, listening on 8080", error: null },
    { name: "postgres", isRunning: false, port: 5432, hostPort: null, detail: null, error: "nothing listens on port 5432" },
    { name: "worker", isRunning: null, port: null, hostPort: null, detail: null, error: "cannot query unit w: systemd is not running" }
  ],
  errors: [],
  notices: [],
  stale: false,
  collectedAt: "2026-11-26T18:11:02.962Z"
}

// what a terminal shows, for comparing coloured and plain output
const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "")

describe("renderDashboard", () => {
  it("shows state, uptime, resources with percentages, one line per service and the connect hint", () => {
    expect(renderDashboard(running, { color: false })).toBe(
      [
        "dev (docker)",
        "  state    running",
        "  id       818ae6bd5bb8",
        "  uptime   1h 02m",
        "  cpu      12.7%  of 200% (2 cpus)",
        "  memory   819.2 / 2048 MB  40.0%",
        "  disk     23.1 / 252.0 GB  9.2%",
        "  services",
        "    ● web       running  :8080 → 8080    pid 162, listening on 8080",
        "    ○ postgres  down     :5432           nothing listens on port 5432",
        "    ? worker    unknown                  cannot query unit w: systemd is not running",
        "  connect: vm ssh dev"
      ].join("\n")
    )
  })

  it("a stopped machine: raw state, no resources, services stopped, the start hint", () => {
    const stopped: StatusReport = {
      ...running,
      state: "stopped",
      rawState: "poweroff",
      isRunning: false,
      uptimeSeconds: null,
      resources: noResources,
      services: [{ ...running.services[0]!, isRunning: false, detail: null }]
    }
    expect(renderDashboard(stopped, { color: false })).toBe(
      [
        "dev (docker)",
        "  state    stopped (poweroff)",
        "  id       818ae6bd5bb8",
        "  services",
        "    ○ web  stopped  :8080 → 8080",
        "  start: vm start dev"
      ].join("\n")
    )
  })

  it("errors, notices (e.g. config drift) and cached data each get a line", () => {
    const text = renderDashboard(
      {
        ...running,
        services: [],
        resources: noResources,
        uptimeSeconds: null,
        stale: true,
        errors: ["ssh to 'dev' failed: no answer within 10 s"],
        notices: ["config changed since last start: run `vm restart dev`"]
      },
      { color: false, now: Date.parse(running.collectedAt) + 3000 }
    )
    expect(text.split("\n").slice(3)).toEqual([
      "  uptime   -",
      "  cpu      -",
      "  memory   -",
      "  disk     -",
      "  data     from 3s ago (cached; --fresh for live values)",
      "  ✖ ssh to 'dev' failed: no answer within 10 s",
      "  ! config changed since last start: run `vm restart dev`",
      "  connect: vm ssh dev"
    ])
  })

  it("colours like Docker's dashboard: CPU per capacity >50 yellow >80 red, memory >70/>90, disk >80/>90", () => {
    const paint = (resources: Partial<StatusReport["resources"]>) =>
      renderDashboard({ ...running, services: [], resources: { ...running.resources, ...resources } }, { color: true })
    const colourOf = (text: string, label: string) => /\x1b\[(\d+)m[\d.]+%/.exec(text.split("\n").find((l) => l.includes(label))!)?.[1]
    // 2 CPUs: 100% of 200% is 50% of capacity
    expect(colourOf(paint({ cpuPercent: 100 }), "cpu")).toBe("32")
    expect(colourOf(paint({ cpuPercent: 101 }), "cpu")).toBe("33")
    expect(colourOf(paint({ cpuPercent: 161 }), "cpu")).toBe("31")
    expect(colourOf(paint({ memoryUsedMb: 1433 }), "memory")).toBe("32")
    expect(colourOf(paint({ memoryUsedMb: 1500 }), "memory")).toBe("33")
    expect(colourOf(paint({ memoryUsedMb: 1900 }), "memory")).toBe("31")
    expect(colourOf(paint({ diskUsedGb: 200 }), "disk")).toBe("32")
    expect(colourOf(paint({ diskUsedGb: 210 }), "disk")).toBe("33")
    expect(colourOf(paint({ diskUsedGb: 230 }), "disk")).toBe("31")
    // without colour the same text, no escape codes
    const colored = paint({})
    expect(visible(colored)).toBe(renderDashboard({ ...running, services: [] }, { color: false }))
    expect(renderDashboard(running, { color: false })).not.toContain("\x1b")
  })
})

describe("useColor", () => {
  it("only on a terminal and without NO_COLOR", () => {
    expect(useColor({ isTTY: true }, {})).toBe(true)
    expect(useColor({ isTTY: false }, {})).toBe(false)
    expect(useColor({}, {})).toBe(false)
    expect(useColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false)
    // no-color.org: an empty NO_COLOR does not count
    expect(useColor({ isTTY: true }, { NO_COLOR: "" })).toBe(true)
  })
})

describe("formatUptime", () => {
  it("two units at most", () => {
    expect([0, 59, 61, 3599, 3600, 86399, 90061, 10 * 86400].map(formatUptime)).toEqual([
      "0s",
      "59s",
      "1m 01s",
      "59m 59s",
      "1h 00m",
      "23h 59m",
      "1d 1h",
      "10d 0h"
    ])
  })
})
