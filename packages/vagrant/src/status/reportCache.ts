import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import { StatusReport } from "@vm/core"
import { readJsonFile, writeJsonFile } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** Per machine, `.vm/status/<machine>.json` in the project root. */
export const STATUS_CACHE_DIR = ".vm/status"

const CacheEntry = Schema.Struct({
  /** What the report depends on: machine id, boot (start time), state, probed services. */
  key: Schema.String,
  savedAtMs: Schema.Number,
  report: StatusReport
})

/**
 * A report saved less than `maxAgeMs` ago for the same key. A cache is not state: an unreadable
 * or corrupt file is simply a miss, and writes are atomic (rename) without a lock: last one wins.
 */
export const readCachedReport = (
  file: string,
  key: string,
  maxAgeMs: number,
  nowMs: number
): Effect.Effect<Option.Option<StatusReport>, never, FileSystem.FileSystem | Path.Path> =>
  readJsonFile(file, CacheEntry).pipe(
    Effect.map(Option.filter((e) => e.key === key && nowMs - e.savedAtMs >= 0 && nowMs - e.savedAtMs < maxAgeMs)),
    Effect.map(Option.map((e) => e.report)),
    Effect.orElseSucceed(() => Option.none())
  )

export const writeCachedReport = (
  file: string,
  key: string,
  report: StatusReport,
  nowMs: number
): Effect.Effect<void, never, FileSystem.FileSystem | Path.Path> =>
  writeJsonFile(file, CacheEntry, { key, savedAtMs: nowMs, report }).pipe(Effect.ignore)
