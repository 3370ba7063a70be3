import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import { interruptIsNormalEnd } from "../interruptExit.js"
import { palette, useColor } from "../statusDashboard.js"
import { ndjsonLine, redraw, SCREEN_END, SCREEN_START, watchFrame } from "../watchScreen.js"

/** One way of showing machines' status: `vm status [--all]`, `vm temp status [--all]`. */
/** What `vm status` and `vm temp status` are called with. */
export interface StatusArgs {
  readonly name: Option.Option<string>
  readonly json: boolean
  readonly fresh: boolean
  readonly all: boolean
  /** Some(interval in ms) with --watch. */
  readonly watch: Option.Option<number>
}

export interface StatusView<A, E, R> {
  /** The machines' reports now. Fails only when not even the machines can be listed (a machine that cannot be asked is a report saying so). */
  readonly collect: Effect.Effect<ReadonlyArray<A>, E, R>
  /** The human form of the reports. Pure. */
  readonly render: (items: ReadonlyArray<A>, options: { readonly color: boolean; readonly now: number }) => string
  /** What `--json` prints for one machine. */
  readonly json: (item: A) => object
}

/** Names seen before keep their place; new ones are added at the end. */
export const mergeNames = (before: ReadonlyArray<string>, now: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...before,
  ...now.filter((name) => !before.includes(name))
]

/**
 * The machines to show in each frame: those there now, after those seen in earlier frames (so one
 * destroyed meanwhile stays, reported missing). Once a frame was shown, a listing that fails
 * (a state file being rewritten) means the machines seen so far.
 */
export const rememberingNames = <E, R>(names: Effect.Effect<ReadonlyArray<string>, E, R>) =>
  Effect.map(Ref.make<ReadonlyArray<string>>([]), (seen) =>
    Effect.gen(function*() {
      const before = yield* Ref.get(seen)
      const now = yield* names.pipe(Effect.catchAll((e) => before.length > 0 ? Effect.succeed(before) : Effect.fail(e)))
      return yield* Ref.updateAndGet(seen, (b) => mergeNames(b, now))
    }))

/** Every item in one pretty JSON array (`--all --json`), or the rendered text. */
export const printOnce = <A, E, R>(view: StatusView<A, E, R>, json: boolean) =>
  Effect.gen(function*() {
    const items = yield* view.collect
    yield* Console.log(json ? JSON.stringify(items.map(view.json), null, 2) : view.render(items, { color: useColor(), now: Date.now() }))
  })

/** Stdout closed under us (`vm status --watch | head -1`): the reader has all it wants. */
export class StdoutClosed extends Data.TaggedError("StdoutClosed") {}

/** Where a watch draws: the process's stdout, or a test's buffer. */
export interface WatchOutput {
  readonly isTerminal: boolean
  readonly color: boolean
  /** The terminal's rows now (it may be resized meanwhile); undefined when unknown. */
  readonly rows: () => number | undefined
  readonly write: (text: string) => Effect.Effect<void, StdoutClosed>
}

/**
 * The process's stdout. Without an error listener a closed pipe's EPIPE would be thrown as an
 * uncaught exception; with one, `write` reports it instead.
 */
const stdoutOutput: Effect.Effect<WatchOutput, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => {
    const ignore = () => undefined
    process.stdout.on("error", ignore)
    return ignore
  }),
  (ignore) => Effect.sync(() => process.stdout.off("error", ignore))
).pipe(Effect.map((): WatchOutput => ({
  isTerminal: process.stdout.isTTY === true,
  color: useColor(),
  rows: () => process.stdout.rows,
  write: (text: string) =>
    Effect.async<void, StdoutClosed>((resume) => {
      process.stdout.write(text, (error) => resume(error ? Effect.fail(new StdoutClosed()) : Effect.void))
    })
})))

/**
 * `--watch`: collects every `intervalMs` (at once when a frame took longer; frames never pile up)
 * until Ctrl-C, which ends the command with exit 0. On a terminal (and without --json) each frame
 * redraws the previous one in place; otherwise every machine's report is one NDJSON line per frame.
 */
export const watchStatus = <A, E, R>(
  view: StatusView<A, E, R>,
  intervalMs: number,
  json: boolean,
  output: Effect.Effect<WatchOutput, never, Scope.Scope> = stdoutOutput
) =>
  Effect.gen(function*() {
    yield* interruptIsNormalEnd
    const out = yield* output
    const onTerminal = out.isTerminal && !json
    const frame = Effect.gen(function*() {
      const items = yield* view.collect
      const at = new Date(yield* Clock.currentTimeMillis)
      if (!onTerminal) return yield* out.write(items.map((item) => `${ndjsonLine(view.json(item), at)}\n`).join(""))
      const body = view.render(items, { color: out.color, now: at.getTime() })
      yield* out.write(redraw(watchFrame(intervalMs, at, body, palette(out.color).dim), out.rows()))
    })
    // each frame starts an interval after the one before, or at once when that one took longer
    const frames = Effect.forever(Effect.gen(function*() {
      const started = yield* Clock.currentTimeMillis
      yield* frame
      const took = (yield* Clock.currentTimeMillis) - started
      yield* Effect.sleep(`${Math.max(0, intervalMs - took)} millis`)
    }))
    const watching = onTerminal
      ? Effect.acquireUseRelease(out.write(SCREEN_START), () => frames, () => Effect.ignore(out.write(SCREEN_END)))
      : frames
    yield* watching.pipe(Effect.catchTag("StdoutClosed", () => Effect.void))
  }).pipe(Effect.scoped)
