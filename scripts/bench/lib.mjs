// Shared helpers for the benchmark scripts: run a command N times, report medians and ratios.
import { spawnSync } from "node:child_process"

/** Runs `cmd args` once; throws with its output when it fails (a benchmark of a failing command is worthless). */
export const timeOnce = (cmd, args, options = {}) => {
  const started = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: options.timeoutMs ?? 120_000, ...options })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const ok = options.allowFailure ? r.error === undefined : r.status === 0
  if (!ok) {
    throw new Error(`${cmd} ${args.join(" ")} failed (status ${r.status}): ${r.error ?? ""}${r.stderr ?? ""}${r.stdout ?? ""}`)
  }
  return seconds
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Runs `before()` (untimed) then the timed command, `runs` times; returns the samples in seconds. */
export const sample = (label, runs, cmd, args, options = {}) => {
  const samples = []
  for (let i = 0; i < runs; i++) {
    options.before?.()
    samples.push(timeOnce(cmd, args, options))
  }
  const m = median(samples)
  process.stderr.write(`  ${label.padEnd(44)} median ${m.toFixed(3)} s  (n=${runs}, min ${Math.min(...samples).toFixed(3)}, max ${Math.max(...samples).toFixed(3)})\n`)
  return { label, samples, median: m }
}

export const ratio = (label, a, b) => {
  const r = a.median / b.median
  console.log(`${label}: ${r.toFixed(2)}  (${a.median.toFixed(3)} s / ${b.median.toFixed(3)} s)`)
  return r
}
