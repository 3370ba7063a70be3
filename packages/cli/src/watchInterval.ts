import { printable } from "@vm/core/printable"
import * as Either from "effect/Either"

/** `vm status --watch` redraws this often unless `--interval` says otherwise (as `docker stats`, about every 2 s). */
export const DEFAULT_INTERVAL_S = 2
/** Each frame costs an ssh round trip and the guest's CPU sample per machine: faster only loads the guest. */
export const MIN_INTERVAL_S = 0.5
/** A day: anything longer is a typo, not a watch (and Node's timers overflow past 24.8 days). */
export const MAX_INTERVAL_S = 86_400

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 }

/**
 * `--interval` in milliseconds: seconds as a plain number (`2`, `0.5`), or with a unit (`500ms`, `2s`, `1m`).
 * Left: why the text is not acceptable, one line naming the value and the allowed range.
 */
export const parseInterval = (text: string): Either.Either<number, string> => {
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m)?\s*$/i.exec(text)
  if (match === null) return Either.left(`'${printable(text)}' is not a number of seconds (e.g. 2, 0.5 or 500ms)`)
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? "s").toLowerCase()]!
  if (ms < MIN_INTERVAL_S * 1000) return Either.left(`'${printable(text)}' is too short: at least ${MIN_INTERVAL_S} seconds`)
  if (ms > MAX_INTERVAL_S * 1000) return Either.left(`'${printable(text)}' is too long: at most ${MAX_INTERVAL_S} seconds (a day)`)
  return Either.right(ms)
}
