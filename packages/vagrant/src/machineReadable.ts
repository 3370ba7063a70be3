import { ParseFailed } from "@vm/core"
import * as Either from "effect/Either"

/** One line of `vagrant … --machine-readable` output. */
export interface MachineReadableRecord {
  readonly timestamp: number
  /** Machine name; empty for global messages and for every global-status row. */
  readonly target: string
  readonly type: string
  readonly data: ReadonlyArray<string>
}

const RECORD_LINE = /^\d+,/

// Vagrant escapes only these three inside each data field (backslashes are not escaped).
const unescapeField = (field: string): string =>
  field.replace(/%!\(VAGRANT_COMMA\)|\\n|\\r/g, (m) => (m === "\\n" ? "\n" : m === "\\r" ? "\r" : ","))

/** Splits each line on its first three commas, then the rest on `,`; other lines are ignored. */
export const parseMachineReadable = (text: string): Array<MachineReadableRecord> => {
  const records: Array<MachineReadableRecord> = []
  for (const rawLine of text.split("\n")) {
    const line = rawLine.endsWith("\r") ? rawLine.slice(0, -1) : rawLine
    if (!RECORD_LINE.test(line)) continue
    const first = line.indexOf(",")
    const second = line.indexOf(",", first + 1)
    if (second < 0) continue
    const third = line.indexOf(",", second + 1)
    const type = line.slice(second + 1, third < 0 ? undefined : third)
    if (type === "") continue
    records.push({
      timestamp: Number(line.slice(0, first)),
      target: line.slice(first + 1, second),
      type,
      data: third < 0 ? [] : line.slice(third + 1).split(",").map(unescapeField)
    })
  }
  return records
}

/** The Vagrant error that ended the command, from its `error-exit` row. */
export const errorExit = (
  records: ReadonlyArray<MachineReadableRecord>
): { readonly errorClass: string; readonly message: string } | undefined => {
  const row = records.find((r) => r.type === "error-exit")
  return row === undefined ? undefined : { errorClass: row.data[0] ?? "", message: row.data.slice(1).join(",") }
}

export interface MachineStatus {
  readonly machine: string
  readonly provider: string
  /** The provider's state id, e.g. `running`, `not_created`, `poweroff`. */
  readonly state: string
  readonly stateShort: string
  readonly stateLong: string
}

const failed = (what: string, input: string, reason: string) => Either.left(new ParseFailed({ what, input, reason }))

/** Machines from `vagrant status --machine-readable`, in output order. */
export const parseStatus = (text: string): Either.Either<Array<MachineStatus>, ParseFailed> => {
  const records = parseMachineReadable(text)
  const byMachine = new Map<string, { provider?: string; metaProvider?: string; state?: string; short?: string; long?: string }>()
  const entry = (target: string) => {
    let e = byMachine.get(target)
    if (e === undefined) byMachine.set(target, (e = {}))
    return e
  }
  for (const r of records) {
    if (r.target === "") continue
    const value = r.data[0]
    if (value === undefined) continue
    if (r.type === "metadata" && value === "provider" && r.data[1] !== undefined) entry(r.target).metaProvider = r.data[1]
    else if (r.type === "provider-name") entry(r.target).provider = value
    else if (r.type === "state") entry(r.target).state = value
    else if (r.type === "state-human-short") entry(r.target).short = value
    else if (r.type === "state-human-long") entry(r.target).long = value
  }
  const machines: Array<MachineStatus> = []
  for (const [machine, e] of byMachine) {
    if (e.state === undefined) continue
    const provider = e.provider ?? e.metaProvider
    if (provider === undefined) return failed("vagrant status output", text, `machine '${machine}' has a state but no provider`)
    machines.push({ machine, provider, state: e.state, stateShort: e.short ?? "", stateLong: e.long ?? "" })
  }
  if (machines.length === 0) {
    const error = errorExit(records)
    const reason = error !== undefined
      ? `vagrant reported ${error.errorClass}: ${error.message}`
      : records.length === 0
      ? "no machine-readable lines"
      : "no machine state rows"
    return failed("vagrant status output", text, reason)
  }
  return Either.right(machines)
}

export interface GlobalStatusEntry {
  /** The 7-character machine-index id prefix Vagrant accepts from any folder. */
  readonly id: string
  readonly provider: string
  /** The project folder (Vagrantfile location). */
  readonly home: string
  /** Cached short state description; refreshed only when a command touches the machine. */
  readonly state: string
}

/** Entries from `vagrant global-status --machine-readable`: rows grouped from each `machine-id`. */
export const parseGlobalStatus = (text: string): Either.Either<Array<GlobalStatusEntry>, ParseFailed> => {
  const what = "vagrant global-status output"
  const records = parseMachineReadable(text)
  if (records.length === 0) return failed(what, text, "no machine-readable lines")
  const groups: Array<{ id: string; provider?: string; home?: string; state?: string }> = []
  let expected: number | undefined
  for (const r of records) {
    const value = r.data[0]
    if (value === undefined) continue
    const current = groups[groups.length - 1]
    if (r.type === "metadata" && value === "machine-count") expected = Number(r.data[1])
    else if (r.type === "machine-id") groups.push({ id: value })
    else if (current === undefined) continue
    else if (r.type === "provider-name") current.provider = value
    else if (r.type === "machine-home") current.home = value
    else if (r.type === "state") current.state = value
  }
  const entries: Array<GlobalStatusEntry> = []
  for (const g of groups) {
    if (g.provider === undefined || g.home === undefined || g.state === undefined) {
      return failed(what, text, `machine ${g.id} lacks provider-name, machine-home or state`)
    }
    entries.push({ id: g.id, provider: g.provider, home: g.home, state: g.state })
  }
  if (expected !== undefined && expected !== entries.length) {
    return failed(what, text, `machine-count says ${expected} but ${entries.length} machines were listed`)
  }
  if (expected === undefined && entries.length === 0) {
    const error = errorExit(records)
    return failed(what, text, error !== undefined ? `vagrant reported ${error.errorClass}: ${error.message}` : "no machine rows")
  }
  return Either.right(entries)
}
