import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawnSync } from "node:child_process"
import { ProcessRunner, ProcessRunnerLive, TERM_GRACE_MS } from "../src/process/ProcessRunner.js"

const live = ProcessRunnerLive.pipe(Layer.provide(NodeContext.layer))
const alive = (pattern: string) => spawnSync("pgrep", ["-f", pattern]).status === 0

describe("ProcessRunnerLive timeouts", () => {
  it.live("a child that ignores SIGTERM is SIGKILLed after the grace period: the caller gets CommandTimeout, the process is gone", () =>
    Effect.gen(function*() {
      const marker = `vm-ignores-term-${process.pid}-${Date.now()}`
      const started = Date.now()
      const error = yield* Effect.flip(
        (yield* ProcessRunner).run("sh", ["-c", `trap '' TERM; sleep 30 # ${marker}`], { timeoutMs: 300 })
      )
      const took = Date.now() - started
      expect(error._tag).toBe("CommandTimeout")
      expect(took).toBeLessThan(300 + TERM_GRACE_MS + 3000)
      yield* Effect.sleep(200)
      expect(alive(marker)).toBe(false)
    }).pipe(Effect.provide(live)), 20_000)

  it.live("a child that honours SIGTERM ends at once", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const error = yield* Effect.flip((yield* ProcessRunner).run("sleep", ["30"], { timeoutMs: 300 }))
      expect(error._tag).toBe("CommandTimeout")
      expect(Date.now() - started).toBeLessThan(300 + TERM_GRACE_MS)
    }).pipe(Effect.provide(live)), 20_000)
})
