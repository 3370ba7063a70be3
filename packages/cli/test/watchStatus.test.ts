import { it } from "@effect/vitest"
import { Effect, Fiber, Ref, TestClock } from "effect"
import { describe, expect } from "vitest"
import { StdoutClosed, type StatusView, watchStatus, type WatchOutput } from "../src/run/statusView.js"
import { interruptExitCode } from "../src/interruptExit.js"
import { SCREEN_END, SCREEN_START } from "../src/watchScreen.js"

/** A view over a counter: each collect is one frame, taking `collectMs` of (test) time. */
const countingView = (collectMs = 0) =>
  Effect.map(Ref.make(0), (count): StatusView<{ readonly frame: number }, never, never> => ({
    collect: Effect.sleep(`${collectMs} millis`).pipe(Effect.zipRight(Ref.updateAndGet(count, (n) => n + 1)), Effect.map((frame) => [{ frame }])),
    render: (items) => `frame ${items[0]!.frame}`,
    json: (item) => item
  }))

/** What the watch wrote; `closedAfter` writes succeed, then the reader is gone. */
const bufferOutput = (isTerminal: boolean, closedAfter = Infinity) =>
  Effect.map(Ref.make<ReadonlyArray<string>>([]), (written) => ({
    written,
    output: Effect.succeed<WatchOutput>({
      isTerminal,
      color: false,
      rows: () => 24,
      write: (text) =>
        Effect.flatMap(Ref.get(written), (w) =>
          w.length >= closedAfter ? Effect.fail(new StdoutClosed()) : Ref.set(written, [...w, text]))
    })
  }))

describe("watchStatus", () => {
  it.effect("off a terminal: one NDJSON line per item per interval, the frame's time first", () =>
    Effect.gen(function*() {
      const { output, written } = yield* bufferOutput(false)
      const fiber = yield* Effect.fork(watchStatus(yield* countingView(), 2000, false, output))
      yield* TestClock.adjust("5 seconds")
      const lines = (yield* Ref.get(written)).map((w) => JSON.parse(w))
      // frames at 0, 2 and 4 s
      expect(lines).toEqual([0, 2000, 4000].map((ms, i) => ({ timestamp: new Date(ms).toISOString(), frame: i + 1 })))
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(written)).toHaveLength(3)
    }))

  it.effect("on a terminal: the screen is prepared, each frame redrawn from the top, and handed back on Ctrl-C", () =>
    Effect.gen(function*() {
      const { output, written } = yield* bufferOutput(true)
      const fiber = yield* Effect.fork(watchStatus(yield* countingView(), 1000, false, output))
      yield* TestClock.adjust("1500 millis")
      yield* Fiber.interrupt(fiber)
      const w = yield* Ref.get(written)
      expect(w[0]).toBe(SCREEN_START)
      expect(w.slice(1, 3).map((frame) => frame.startsWith("\x1b[H"))).toEqual([true, true])
      expect(w[1]).toContain("every 1 s · ")
      expect(w[1]).toContain("frame 1\x1b[K\x1b[J")
      expect(w[2]).toContain("frame 2\x1b[K\x1b[J")
      expect(w.at(-1)).toBe(SCREEN_END)
      expect(w).toHaveLength(4)
      // the run ended by Ctrl-C exits 0
      expect(interruptExitCode()).toBe(0)
    }))

  it.effect("--json on a terminal: NDJSON, no screen control", () =>
    Effect.gen(function*() {
      const { output, written } = yield* bufferOutput(true)
      const fiber = yield* Effect.fork(watchStatus(yield* countingView(), 1000, true, output))
      yield* TestClock.adjust("0 millis")
      yield* Fiber.interrupt(fiber)
      expect((yield* Ref.get(written)).map((w) => JSON.parse(w).frame)).toEqual([1])
    }))

  it.effect("frames slower than the interval follow each other at once, never piling up", () =>
    Effect.gen(function*() {
      const { output, written } = yield* bufferOutput(false)
      const fiber = yield* Effect.fork(watchStatus(yield* countingView(2500), 1000, false, output))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.interrupt(fiber)
      // each frame takes 2.5 s: frames end at 2.5, 5, 7.5 and 10 s
      expect((yield* Ref.get(written)).map((w) => JSON.parse(w).timestamp)).toEqual(
        [2500, 5000, 7500, 10000].map((ms) => new Date(ms).toISOString())
      )
    }))

  it.effect("a reader that went away (`| head -1`) ends the watch successfully", () =>
    Effect.gen(function*() {
      const { output, written } = yield* bufferOutput(false, 2)
      const fiber = yield* Effect.fork(watchStatus(yield* countingView(), 1000, false, output))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toBeUndefined()
      expect(yield* Ref.get(written)).toHaveLength(2)
    }))
})
