import { Progress } from "@vm/core/Progress"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

/** Spinner with phases on a terminal's stderr; silent when stderr is piped or VM_NO_PROGRESS is set. */
export const ProgressLive = Layer.effect(
  Progress,
  Effect.gen(function*() {
    const enabled = process.stderr.isTTY === true && !process.env["VM_NO_PROGRESS"]
    const detail = yield* Ref.make("")
    const write = (text: string) => Effect.sync(() => process.stderr.write(text))
    const width = () => Math.max(20, (process.stderr.columns ?? 80) - 1)
    return Progress.of({
      notice: (text) => write(`${text}\n`),
      detail: (text) => enabled && text !== "" ? Ref.set(detail, text) : Effect.void,
      phase: (label, effect) => {
        if (!enabled) return effect
        const started = Date.now()
        let frame = 0
        const draw = Effect.flatMap(Ref.get(detail), (d) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(0)
          const line = `${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds}s${d ? ` · ${d}` : ""}`
          return write(`\r\x1b[2K${line.slice(0, width())}`)
        })
        return Effect.gen(function*() {
          yield* Ref.set(detail, "")
          const spinner = yield* Effect.fork(Effect.repeat(draw, Schedule.spaced("100 millis")))
          const exit = yield* Effect.exit(effect)
          yield* Fiber.interrupt(spinner)
          const seconds = ((Date.now() - started) / 1000).toFixed(1)
          yield* write(`\r\x1b[2K${Exit.isSuccess(exit) ? "✔" : "✖"} ${label} (${seconds}s)\n`)
          return yield* exit
        })
      }
    })
  })
)
