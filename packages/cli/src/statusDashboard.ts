import type { ServiceStatus, StatusReport } from "@vm/core/StatusReport"

export type Paint = (text: string) => string

const sgr = (code: string): Paint => (text) => `\x1b[${code}m${text}\x1b[0m`
const plain: Paint = (text) => text
const PAINTS = { green: sgr("32"), yellow: sgr("33"), red: sgr("31"), dim: sgr("2"), bold: sgr("1") }
export type Colors = Record<keyof typeof PAINTS, Paint>

/** The paints for one output: real colours, or none. */
export const palette = (color: boolean): Colors =>
  color ? PAINTS : { green: plain, yellow: plain, red: plain, dim: plain, bold: plain }

/** Colours for stdout: only on a terminal, and never when NO_COLOR is set (no-color.org). */
export const useColor = (stream: { readonly isTTY?: boolean } = process.stdout, env = process.env): boolean =>
  stream.isTTY === true && (env["NO_COLOR"] ?? "") === ""

/** Docker dashboard-like thresholds, in percent of capacity: [yellow above, red above]. */
export const THRESHOLDS = { cpu: [50, 80], memory: [70, 90], disk: [80, 90] } as const

export const byThreshold = (c: Colors, percent: number, [warn, bad]: readonly [number, number]): Paint =>
  percent > bad ? c.red : percent > warn ? c.yellow : c.green

export const formatUptime = (seconds: number): string => {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.floor(seconds % 60)
  const two = (n: number) => String(n).padStart(2, "0")
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${two(m)}m` : m > 0 ? `${m}m ${two(s)}s` : `${s}s`
}

export const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))
export const percentOf = (used: number, total: number) => (total > 0 ? (used / total) * 100 : 0)

/** `used / total UNIT (p%)`, coloured by the share used; "-" when unknown. */
const usage = (c: Colors, used: number | null, total: number | null, unit: string, limits: readonly [number, number]) => {
  if (used === null || total === null) return c.dim("-")
  const p = percentOf(used, total)
  return `${fixed(used)} / ${fixed(total)} ${unit}  ${byThreshold(c, p, limits)(`${p.toFixed(1)}%`)}`
}

export const stateColor = (c: Colors, report: StatusReport): Paint =>
  report.state === "running"
    ? c.green
    : report.state === "broken" || report.state === "unknown"
    ? c.red
    : report.state === "stopped" || report.state === "missing"
    ? c.dim
    : c.yellow

const serviceLine = (c: Colors, s: ServiceStatus, width: number, machineRunning: boolean): string => {
  const [mark, word, paint] = s.isRunning === true
    ? ["●", "running", c.green]
    : s.isRunning === false
    ? ["○", machineRunning ? "down" : "stopped", machineRunning ? c.red : c.dim]
    : ["?", "unknown", c.yellow]
  const port = s.port === null ? "" : s.hostPort === null ? `:${s.port}` : `:${s.port} → ${s.hostPort}`
  const note = s.error !== null ? c.red(s.error) : c.dim(s.detail ?? "")
  return `    ${paint(mark)} ${s.name.padEnd(width)}  ${paint(word.padEnd(7))}  ${port.padEnd(15)} ${note}`.trimEnd()
}

const ago = (iso: string, now: number) => formatUptime(Math.max(0, (now - Date.parse(iso)) / 1000))

/**
 * The human `vm status` dashboard. Pure: colours and the clock come from the caller.
 * Lines are `label  value`; `notices` (from any capability) are shown as `!` hints.
 */
export interface DashboardCommands {
  readonly connect: string
  readonly start: string
  readonly restart: string
}

export const renderDashboard = (
  report: StatusReport,
  options: { readonly color: boolean; readonly now?: number; readonly commands?: DashboardCommands }
): string => {
  const commands = options.commands ?? {
    connect: `vm ssh ${report.name}`,
    start: `vm start ${report.name}`,
    restart: `vm restart ${report.name}`
  }
  const c = palette(options.color)
  const now = options.now ?? Date.now()
  const lines: Array<string> = []
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(9)}${value}`.trimEnd())
  const r = report.resources

  lines.push(`${c.bold(report.name)} ${c.dim(`(${report.provider})`)}`)
  const raw = report.rawState !== report.state ? c.dim(` (${report.rawState})`) : ""
  row("state", `${stateColor(c, report)(report.state)}${raw}`)
  if (report.machineId !== null) row("id", c.dim(report.machineId.slice(0, 12)))
  if (report.isRunning) {
    row("uptime", report.uptimeSeconds === null ? c.dim("-") : formatUptime(report.uptimeSeconds))
    if (r.cpuPercent === null) row("cpu", c.dim("-"))
    else {
      const capacity = r.cpuCount ?? 1
      const paint = byThreshold(c, r.cpuPercent / capacity, THRESHOLDS.cpu)
      row("cpu", `${paint(`${r.cpuPercent.toFixed(1)}%`)}  ${c.dim(`of ${capacity * 100}% (${capacity} cpu${capacity === 1 ? "" : "s"})`)}`)
    }
    row("memory", usage(c, r.memoryUsedMb, r.memoryLimitMb, "MB", THRESHOLDS.memory))
    row("disk", usage(c, r.diskUsedGb, r.diskTotalGb, "GB", THRESHOLDS.disk))
  }
  if (report.services.length > 0) {
    row("services", "")
    const width = Math.max(...report.services.map((s) => s.name.length))
    for (const s of report.services) lines.push(serviceLine(c, s, width, report.isRunning))
  }
  if (report.stale) row("data", c.dim(`from ${ago(report.collectedAt, now)} ago (cached; --fresh for live values)`))
  for (const e of report.errors) lines.push(`  ${c.red("✖")} ${c.red(e.replace(/\n/g, "\n    "))}`)
  for (const n of report.notices) lines.push(`  ${c.yellow("!")} ${c.yellow(n)}`)
  lines.push(
    report.isRunning
      ? `  ${c.dim("connect:")} ${commands.connect}`
      : report.state === "missing" || report.state === "stopped"
      ? `  ${c.dim("start:")} ${commands.start}`
      : `  ${c.dim("try:")} ${commands.restart}`
  )
  return lines.join("\n")
}
