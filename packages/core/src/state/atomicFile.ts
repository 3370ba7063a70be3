import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { StateFileError } from "../errors.js"

const failure = (path: string) => (e: { readonly message: string }) => new StateFileError({ path, reason: e.message })

/**
 * Replaces `path` atomically: the new text goes to a temp file in the same directory, then rename.
 * If anything fails the previous file is untouched and the temp file is removed.
 */
export const writeFileAtomic = (path: string, text: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    const dir = paths.dirname(path)
    yield* fs.makeDirectory(dir, { recursive: true }).pipe(Effect.mapError(failure(path)))
    const temp = paths.join(dir, `.${paths.basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`)
    yield* fs.writeFileString(temp, text).pipe(
      Effect.zipRight(fs.rename(temp, path)),
      Effect.mapError(failure(path)),
      Effect.tapError(() => fs.remove(temp).pipe(Effect.ignore))
    )
  })

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Runs `effect` while holding an exclusive lock file (created with O_EXCL, holding our pid).
 * A lock whose owner process is gone is taken over; waiting is bounded by `timeout`.
 */
export const withFileLock = <A, E, R>(
  lockPath: string,
  effect: Effect.Effect<A, E, R>,
  timeout: Duration.DurationInput = "30 seconds"
) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const paths = yield* Path.Path
    yield* fs.makeDirectory(paths.dirname(lockPath), { recursive: true }).pipe(Effect.mapError(failure(lockPath)))
    const tryAcquire = Effect.gen(function*() {
      const created = yield* fs.writeFileString(lockPath, String(process.pid), { flag: "wx" }).pipe(
        Effect.as(true),
        Effect.catchIf((e) => e._tag === "SystemError" && e.reason === "AlreadyExists", () => Effect.succeed(false)),
        Effect.mapError(failure(lockPath))
      )
      if (created) return
      const owner = yield* fs.readFileString(lockPath).pipe(Effect.option)
      const pid = Option.getOrElse(Option.map(owner, (t) => Number.parseInt(t, 10)), () => Number.NaN)
      if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) {
        yield* fs.remove(lockPath).pipe(Effect.ignore)
      }
      return yield* Effect.fail("busy" as const)
    })
    const acquire = tryAcquire.pipe(
      Effect.retry({
        schedule: Schedule.exponential("5 millis", 1.5).pipe(Schedule.union(Schedule.spaced("100 millis"))),
        while: (e) => e === "busy"
      }),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new StateFileError({ path: lockPath, reason: `still locked by another vm process after ${Duration.format(timeout)}` })
      }),
      Effect.catchIf((e): e is "busy" => e === "busy", () => Effect.die("unreachable"))
    )
    const release = fs.remove(lockPath).pipe(Effect.ignore)
    // acquire stays interruptible (its timeout must fire); once held, the lock is always released
    return yield* Effect.uninterruptibleMask((restore) =>
      restore(acquire).pipe(Effect.zipRight(restore(effect).pipe(Effect.ensuring(release))))
    )
  })

/** Reads a JSON state file; a missing file yields `Option.none()`, a corrupt one a StateFileError. */
export const readJsonFile = <A, I>(path: string, schema: Schema.Schema<A, I>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exists = yield* fs.exists(path).pipe(Effect.mapError(failure(path)))
    if (!exists) return Option.none<A>()
    const text = yield* fs.readFileString(path).pipe(Effect.mapError(failure(path)))
    return yield* Schema.decodeUnknown(Schema.parseJson(schema))(text).pipe(
      Effect.map(Option.some),
      Effect.mapError((e) =>
        new StateFileError({ path, reason: `corrupt: ${ParseResult.TreeFormatter.formatErrorSync(e).split("\n")[0]}` })
      )
    )
  })

export const writeJsonFile = <A, I>(path: string, schema: Schema.Schema<A, I>, value: A) =>
  Schema.encode(schema)(value).pipe(
    Effect.mapError((e) => new StateFileError({ path, reason: e.message })),
    Effect.flatMap((encoded) => writeFileAtomic(path, `${JSON.stringify(encoded, null, 2)}\n`))
  )

/** Read-modify-write of a JSON state file under its lock (`<path>.lock`). */
export const updateJsonFile = <A, I, B, E, R>(
  path: string,
  schema: Schema.Schema<A, I>,
  empty: () => A,
  update: (current: A) => Effect.Effect<readonly [next: A, result: B], E, R>
) =>
  withFileLock(
    `${path}.lock`,
    Effect.gen(function*() {
      const current = Option.getOrElse(yield* readJsonFile(path, schema), empty)
      const [next, result] = yield* update(current)
      yield* writeJsonFile(path, schema, next)
      return result
    })
  )
