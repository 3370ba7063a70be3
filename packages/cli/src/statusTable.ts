import type { ServiceStatus, StatusReport } from "@vm/core/StatusReport"
import type { DriftReport } from "./run/drift.js"
import {
  byThreshold,
  type Colors,
  fixed,
  formatUptime,
  type Paint,
  palette,
  percentOf,
  stateColor,
  THRESHOLDS
} from "./statusDashboard.js"

/** What one row shows: a status report with its config drift (`vm status --json` has both). */
export type TableReport = StatusReport & Pick<DriftReport, "drift">

interface Cell {
  readonly text: string
  readonly paint: Paint
}

const HEADERS = ["NAME", "STATE", "CPU %", "MEM USAGE / LIMIT", "MEM %", "DISK USAGE / TOTAL", "DISK %", "UPTIME", "SERVICES", "DRIFT"]
const GAP = "   "

/** Sizes in MB as `docker stats` shows them: MB below a GB, else GB. */
export const humanMb = (mb: number): string => (mb < 1024 ? `${fixed(mb)}MB` : `${fixed(mb / 1024)}GB`)
const humanGb = (gb: number): string => humanMb(gb * 1024)

const usageCells = (
  c: Colors,
  used: number | null,
  total: number | null,
  human: (n: number) => string,
  limits: readonly [number, number]
): ReadonlyArray<Cell> => {
  if (used === null || total === null) return [{ text: "-", paint: c.dim }, { text: "-", paint: c.dim }]
  const p = percentOf(used, total)
  return [{ text: `${human(used)} / ${human(total)}`, paint: (t: string) => t }, {
    text: `${p.toFixed(1)}%`,
    paint: byThreshold(c, p, limits)
  }]
}

/** `up/all up`: green when all run, red when one is down on a running machine, yellow when one could not be probed. */
const servicesCell = (c: Colors, services: ReadonlyArray<ServiceStatus>, machineRunning: boolean): Cell => {
  if (services.length === 0) return { text: "-", paint: c.dim }
  const up = services.filter((s) => s.isRunning === true).length
  const paint = !machineRunning
    ? c.dim
    : services.some((s) => s.isRunning === false)
    ? c.red
    : services.some((s) => s.isRunning === null)
    ? c.yellow
    : c.green
  return { text: `${up}/${services.length} up`, paint }
}

const rowCells = (c: Colors, r: TableReport): ReadonlyArray<Cell> => {
  const res = r.resources
  const cpu: Cell = res.cpuPercent === null
    ? { text: "-", paint: c.dim }
    : { text: `${res.cpuPercent.toFixed(1)}%`, paint: byThreshold(c, res.cpuPercent / (res.cpuCount ?? 1), THRESHOLDS.cpu) }
  return [
    { text: r.name, paint: c.bold },
    { text: r.state, paint: stateColor(c, r) },
    cpu,
    ...usageCells(c, res.memoryUsedMb, res.memoryLimitMb, humanMb, THRESHOLDS.memory),
    ...usageCells(c, res.diskUsedGb, res.diskTotalGb, humanGb, THRESHOLDS.disk),
    r.uptimeSeconds === null ? { text: "-", paint: c.dim } : { text: formatUptime(r.uptimeSeconds), paint: (t) => t },
    servicesCell(c, r.services, r.isRunning),
    r.drift === null ? { text: "-", paint: c.dim } : { text: r.drift.applyBy, paint: c.yellow }
  ]
}

/**
 * `vm status --all`: one row per machine, like `docker stats`, then one line per error and notice
 * naming its machine. Pure: colours and the clock come from the caller; `-` where a value is unknown.
 */
export const renderStatusTable = (
  reports: ReadonlyArray<TableReport>,
  options: { readonly color: boolean; readonly now?: number }
): string => {
  const c = palette(options.color)
  const rows = [HEADERS.map((text): Cell => ({ text, paint: c.dim })), ...reports.map((r) => rowCells(c, r))]
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((row) => row[i]!.text.length)))
  const lines = rows.map((row) =>
    row.map((cell, i) => cell.paint(cell.text) + " ".repeat(i === row.length - 1 ? 0 : widths[i]! - cell.text.length)).join(GAP)
  )
  for (const r of reports) {
    for (const e of r.errors) lines.push(`${c.red("✖")} ${r.name}: ${c.red(e.replace(/\n/g, "\n    "))}`)
    for (const n of r.notices) lines.push(`${c.yellow("!")} ${r.name}: ${c.yellow(n)}`)
  }
  const stale = reports.filter((r) => r.stale)
  if (stale.length > 0) {
    const now = options.now ?? Date.now()
    const oldest = Math.max(...stale.map((r) => (now - Date.parse(r.collectedAt)) / 1000))
    lines.push(c.dim(
      `cached values for ${stale.map((r) => r.name).join(", ")} (up to ${formatUptime(Math.max(0, oldest))} old; --fresh for live values)`
    ))
  }
  return lines.join("\n")
}
