import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { ForceKill, KILL_BUDGET_MS } from "../ForceKill.js"
import { Lifecycle } from "../Lifecycle.js"

export interface KillContractOptions {
  /** Instance the suite creates, kills, starts and finally destroys. */
  readonly instance: string
  /** Absolute guest path of a file written before the kill and read after the restart (not in a synced folder). */
  readonly guestFile: string
  /** Per-test timeout (real providers need seconds per step). */
  readonly timeout?: number
}

/**
 * What every provider's ForceKill must do, as one ordered scenario on one machine:
 * a running machine is powered off within the budget, keeps its id and its disk, boots again with
 * `start`, and a second kill of the off machine changes nothing. Run against fakes in unit tests and
 * against real Vagrant in the e2e suite.
 */
export const killContract = <E>(name: string, provider: Layer.Layer<Lifecycle | ForceKill, E>, options: KillContractOptions) => {
  const { guestFile, instance } = options
  const timeout = options.timeout ?? 30_000
  describe(`ForceKill contract: ${name}`, () => {
    layer(provider, { timeout, excludeTestServices: true })((it) => {
      it.effect("killing an unknown machine is a VmNotFound error", () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip((yield* ForceKill).kill("no-such-machine"))
          expect(error._tag).toBe("VmNotFound")
        }), timeout)

      it.effect("a running machine is powered off within the budget and keeps its id", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const created = yield* lifecycle.create(instance, { force: false })
          expect(created.state).toBe("running")
          const written = yield* lifecycle.exec(instance, ["sh", "-c", `echo survived > '${guestFile}' && sync`], {
            output: "capture"
          })
          expect(written.exitCode).toBe(0)

          const report = yield* (yield* ForceKill).kill(instance)
          expect(report).toMatchObject({ name: instance, machineId: created.id })
          expect(report.step).not.toBe("already-off")
          expect(report.stepsTried.at(-1)).toMatchObject({ step: report.step, outcome: "stopped" })
          expect(report.durationMs).toBeLessThan(KILL_BUDGET_MS)

          const after = yield* lifecycle.state(instance)
          expect(after).toMatchObject({ state: "stopped", id: created.id })
        }), timeout)

      it.effect("killing a machine that is already off changes nothing", () =>
        Effect.gen(function*() {
          const report = yield* (yield* ForceKill).kill(instance)
          expect(report).toMatchObject({ step: "already-off", stepsTried: [] })
          expect((yield* (yield* Lifecycle).state(instance)).state).toBe("stopped")
        }), timeout)

      it.effect("start boots the killed machine again, with its disk", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const before = yield* lifecycle.state(instance)
          const started = yield* lifecycle.start(instance)
          expect(started).toMatchObject({ state: "running", id: before.id })
          const read = yield* lifecycle.exec(instance, ["cat", guestFile], { output: "capture" })
          expect(read).toMatchObject({ exitCode: 0, stdout: "survived\n" })
        }), timeout)

      it.effect("destroy still works afterwards", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          yield* lifecycle.destroy(instance)
          const error = yield* Effect.flip((yield* ForceKill).kill(instance))
          expect(error._tag).toBe("VmNotFound")
        }), timeout)
    })
  })
}
