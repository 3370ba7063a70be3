import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { Lifecycle } from "../Lifecycle.js"

export interface ContractOptions {
  /** Instance the suite creates and destroys. */
  readonly instance: string
  /** Per-test timeout (real providers need seconds per step). */
  readonly timeout?: number
}

/**
 * The behaviour every provider's Lifecycle must show, as one ordered scenario on one machine.
 * Run it against fake layers in unit tests and against real Vagrant in the e2e suite.
 */
export const lifecycleContract = <E>(name: string, provider: Layer.Layer<Lifecycle, E>, options: ContractOptions) => {
  const { instance } = options
  const timeout = options.timeout ?? 30_000
  describe(`Lifecycle contract: ${name}`, () => {
    layer(provider, { timeout, excludeTestServices: true })((it) => {
      it.effect("an unknown machine is a VmNotFound error", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const error = yield* Effect.flip(lifecycle.state("no-such-machine"))
          expect(error._tag).toBe("VmNotFound")
        }), timeout)

      it.effect("create boots the machine and list shows it running", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const created = yield* lifecycle.create(instance, { force: false })
          expect(created).toMatchObject({ name: instance, state: "running" })
          expect(created.id).not.toBeNull()
          const listed = (yield* lifecycle.list).find((m) => m.name === instance)
          expect(listed).toMatchObject({ name: instance, state: "running", id: created.id })
        }), timeout)

      it.effect("create of an existing machine without force is refused", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const error = yield* Effect.flip(lifecycle.create(instance, { force: false }))
          expect(error._tag).toBe("InvalidInput")
          expect(error.message).toContain(instance)
        }), timeout)

      it.effect("exec returns the guest's stdout, stderr and exit code", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const result = yield* lifecycle.exec(instance, ["sh", "-c", "echo out; echo err >&2; exit 3"], {
            output: "capture"
          })
          expect(result).toEqual({ exitCode: 3, stdout: "out\n", stderr: "err\n" })
        }), timeout)

      it.effect("exec passes argv verbatim", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const argv = ["a b", "it's", "\"q\"", "$(id)", "`x`", "a;b", "*", ""]
          const result = yield* lifecycle.exec(instance, ["printf", "[%s]\\n", ...argv], { output: "capture" })
          expect(result.exitCode).toBe(0)
          expect(result.stdout).toBe(argv.map((a) => `[${a}]\n`).join(""))
        }), timeout)

      it.effect("stop leaves the machine stopped and exec then fails with VmNotRunning", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const stopped = yield* lifecycle.stop(instance)
          expect(stopped.state).toBe("stopped")
          const error = yield* Effect.flip(lifecycle.exec(instance, ["true"], { output: "capture" }))
          expect(error._tag).toBe("VmNotRunning")
        }), timeout)

      it.effect("start and restart keep the same machine running", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          const before = yield* lifecycle.state(instance)
          const started = yield* lifecycle.start(instance)
          expect(started.state).toBe("running")
          const restarted = yield* lifecycle.restart(instance)
          expect(restarted.state).toBe("running")
          expect(restarted.id).toBe(before.id)
          const result = yield* lifecycle.exec(instance, ["echo", "back"], { output: "capture" })
          expect(result.stdout).toBe("back\n")
        }), timeout)

      it.effect("destroy removes the machine; a second destroy is VmNotFound", () =>
        Effect.gen(function*() {
          const lifecycle = yield* Lifecycle
          yield* lifecycle.destroy(instance)
          const listed = (yield* lifecycle.list).find((m) => m.name === instance)
          expect(listed === undefined || listed.state === "missing").toBe(true)
          const error = yield* Effect.flip(lifecycle.destroy(instance))
          expect(error._tag).toBe("VmNotFound")
        }), timeout)
    })
  })
}
