import { noResources } from "@vm/core/StatusReport"
import { describe, expect, it } from "vitest"
import { humanMb, renderStatusTable, type TableReport } from "../src/statusTable.js"

const running: TableReport = {
  name: "dev",
  machine: "dev",
  provider: "docker",
  machineId: "818ae6bd5bb849bdf36347eb29142535e26e6be3153f6b33d2aaeadcc23b8e8e",
  state: "running",
  rawState: "running",
  isRunning: true,
  uptimeSeconds: 3725,
  resources: { cpuPercent: 12.7, cpuWindowSeconds: 2, cpuCount: 2, memoryUsedMb: 819.2, memoryLimitMb: 2048, diskUsedGb: 23.13, diskTotalGb: 251.97 },
  services: [
    { name: "web", isRunning: true, port: 8080, hostPort: 8080, detail: "pid 162, listening on 8080", error: null },
    { name: "db", isRunning: true, port: 5432, hostPort: null, detail: "pid 170", error: null }
  ],
  errors: [],
  notices: [],
  stale: false,
  collectedAt: "2026-11-26T18:11:02.962Z",
  drift: null
}

const stopped: TableReport = {
  ...running,
  name: "web-2",
  machine: "web-2",
  state: "stopped",
  rawState: "exited",
  isRunning: false,
  uptimeSeconds: null,
  resources: noResources,
  services: running.services.map((s) => ({ ...s, isRunning: false, detail: null })),
  drift: { applyBy: "recreate", reasons: ["vm.memory 2048 → 4096"] }
}

const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "")

describe("renderStatusTable", () => {
  it("one row per machine under docker-stats-like headers, columns aligned, '-' where unknown", () => {
    expect(renderStatusTable([running, stopped], { color: false }).split("\n")).toEqual([
      "NAME    STATE     CPU %   MEM USAGE / LIMIT   MEM %   DISK USAGE / TOTAL   DISK %   UPTIME   SERVICES   DRIFT",
      "dev     running   12.7%   819.2MB / 2GB       40.0%   23.1GB / 252.0GB     9.2%     1h 02m   2/2 up     -",
      "web-2   stopped   -       -                   -       -                    -        -        0/2 up     recreate"
    ])
  })

  it("errors and notices follow the table, one line each, naming their machine", () => {
    const frozen: TableReport = {
      ...running,
      resources: noResources,
      uptimeSeconds: null,
      services: running.services.map((s) => ({ ...s, isRunning: null, detail: null })),
      errors: ["ssh to 'dev' failed: no answer within 10 s (is the guest or its sshd frozen?)"],
      notices: ["config changed since last start — run `vm restart` to apply (vm.cpus 1 → 2)"]
    }
    const lines = renderStatusTable([frozen], { color: false }).split("\n")
    expect(lines[1]).toMatch(/^dev +running +- +- +- +- +- +- +0\/2 up +-$/)
    expect(lines.slice(2)).toEqual([
      "✖ dev: ssh to 'dev' failed: no answer within 10 s (is the guest or its sshd frozen?)",
      "! dev: config changed since last start — run `vm restart` to apply (vm.cpus 1 → 2)"
    ])
  })

  it("reports from the cache are named, with the oldest one's age", () => {
    const now = Date.parse(running.collectedAt) + 4000
    const text = renderStatusTable([{ ...running, stale: true }, { ...stopped, stale: false }], { color: false, now })
    expect(text.split("\n").at(-1)).toBe("cached values for dev (up to 4s old; --fresh for live values)")
    expect(renderStatusTable([running], { color: false })).not.toContain("cached")
  })

  it("colours: state, thresholds as the dashboard, services red when one is down, yellow when unprobed; same text without", () => {
    const down: TableReport = { ...running, services: [running.services[0]!, { ...running.services[1]!, isRunning: false }] }
    const unprobed: TableReport = { ...running, services: [{ ...running.services[0]!, isRunning: null }] }
    const hot: TableReport = { ...running, resources: { ...running.resources, cpuPercent: 170, memoryUsedMb: 1900 } }
    const colourOf = (report: TableReport, cell: string) => {
      const row = renderStatusTable([report], { color: true }).split("\n")[1]!
      return new RegExp(`\\x1b\\[(\\d+)m${cell.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\x1b`).exec(row)?.[1]
    }
    expect(colourOf(running, "running")).toBe("32")
    expect(colourOf(stopped, "stopped")).toBe("2")
    expect(colourOf(running, "2/2 up")).toBe("32")
    expect(colourOf(down, "1/2 up")).toBe("31")
    expect(colourOf(unprobed, "0/1 up")).toBe("33")
    // a stopped machine's services are not "down": dimmed
    expect(colourOf(stopped, "0/2 up")).toBe("2")
    expect(colourOf(stopped, "recreate")).toBe("33")
    // 170% of 2 CPUs is 85% of capacity: red; memory 1900/2048 = 92.8%: red
    expect(colourOf(hot, "170.0%")).toBe("31")
    expect(colourOf(hot, "92.8%")).toBe("31")
    expect(colourOf(running, "12.7%")).toBe("32")
    for (const r of [running, stopped, down, hot]) {
      expect(visible(renderStatusTable([r], { color: true }))).toBe(renderStatusTable([r], { color: false }))
    }
    expect(renderStatusTable([running, stopped], { color: false })).not.toContain("\x1b")
  })

  it("no services configured: '-'", () => {
    expect(renderStatusTable([{ ...running, services: [] }], { color: false }).split("\n")[1]).toMatch(/1h 02m +- +-$/)
  })
})

describe("humanMb", () => {
  it("MB below a GB, else GB, one decimal at most", () => {
    expect([0, 5, 512, 819.25, 1023.9, 1024, 2048, 24105.6].map(humanMb)).toEqual([
      "0MB",
      "5MB",
      "512MB",
      "819.3MB",
      "1023.9MB",
      "1GB",
      "2GB",
      "23.5GB"
    ])
  })
})
