import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Fs from "node:fs"
import { TempVms } from "../TempVms.js"

export interface TempContractOptions {
  /** Names of the two temp VMs the suite creates and destroys. */
  readonly names: readonly [string, string]
  /** Three existing host directories to mount (the third one's name should contain spaces and quotes). */
  readonly dirs: readonly [string, string, string]
  /** Per-test timeout (real providers need seconds per step). */
  readonly timeout?: number
}

/**
 * The behaviour every TempVms implementation must show, as one ordered scenario.
 * Run it against fakes in unit tests and against real Vagrant in the e2e suite.
 */
export const tempContract = <E>(name: string, provider: Layer.Layer<TempVms, E>, options: TempContractOptions) => {
  const [first, second] = options.names
  const [a, b, c] = options.dirs
  const cwd = process.cwd()
  const timeout = options.timeout ?? 30_000
  describe(`TempVms contract: ${name}`, () => {
    layer(provider, { timeout, excludeTestServices: true })((it) => {
      it.effect("with no temp VM, resolving one is TempVmNotFound", () =>
        Effect.gen(function*() {
          const temp = yield* TempVms
          expect(yield* temp.names).toEqual([])
          expect((yield* Effect.flip(temp.resolve(undefined)))._tag).toBe("TempVmNotFound")
        }), timeout)

      it.effect("create with two mounts (one read-only): recorded, applied, running", () =>
        Effect.gen(function*() {
          const temp = yield* TempVms
          const record = yield* temp.create({ name: first, mounts: [a, `${b}:ro`], cwd, provider: undefined, autoDestroy: false })
          expect(record.mounts.map((m) => m.readonly)).toEqual([false, true])
          expect(record.appliedMounts).toEqual(record.mounts)
          expect(yield* temp.resolve(undefined)).toBe(first)
          const listed = (yield* temp.list).find((s) => s.record.name === first)
          expect(listed?.machine.state).toBe("running")
        }), timeout)

      it.effect("an invalid mount is refused and changes nothing", () =>
        Effect.gen(function*() {
          const temp = yield* TempVms
          const before = yield* temp.get(first)
          const error = yield* Effect.flip(temp.mount(first, [a.replace(/\/?$/, "/does-not-exist")], cwd))
          expect(error._tag).toBe("InvalidInput")
          const duplicate = yield* Effect.flip(temp.mount(first, [a], cwd))
          expect(duplicate.message).toContain("already mounted")
          expect(yield* temp.get(first)).toEqual(before)
        }), timeout)

      it.effect("mount adds a directory; unmount removes it again", () =>
        Effect.gen(function*() {
          const temp = yield* TempVms
          const mounted = yield* temp.mount(first, [c], cwd)
          expect(mounted.mounts).toHaveLength(3)
          expect(mounted.appliedMounts).toEqual(mounted.mounts)
          const unmounted = yield* temp.unmount(first, { paths: [c], all: false }, cwd)
          expect(unmounted.mounts.map((m) => m.source)).toEqual(mounted.mounts.slice(0, 2).map((m) => m.source))
          expect(unmounted.appliedMounts).toEqual(unmounted.mounts)
          const notMounted = yield* Effect.flip(temp.unmount(first, { paths: [c], all: false }, cwd))
          expect(notMounted.message).toContain("not mounted")
        }), timeout)

      it.effect("two temp VMs at once: both listed; a name is then required", () =>
        Effect.gen(function*() {
          const temp = yield* TempVms
          yield* temp.create({ name: second, mounts: [], cwd, provider: undefined, autoDestroy: false })
          const listed = yield* temp.list
          expect(listed.map((s) => [s.record.name, s.machine.state])).toEqual(
            [[first, "running"], [second, "running"]].sort(([x], [y]) => x!.localeCompare(y!))
          )
          expect((yield* Effect.flip(temp.resolve(undefined))).message).toContain("several temp VMs")
          expect(yield* temp.resolve(second)).toBe(second)
        }), timeout)

      it.effect("destroy removes the machine, the directory and the state; the other VM stays", () =>
        Effect.gen(function*() {
          const temp = yield* TempVms
          const dir = (yield* temp.context(second)).root
          expect(Fs.existsSync(dir)).toBe(true)
          yield* temp.destroy(second)
          expect(Fs.existsSync(dir)).toBe(false)
          expect(yield* temp.names).toEqual([first])
          expect((yield* Effect.flip(temp.get(second)))._tag).toBe("TempVmNotFound")
          yield* temp.destroy(first)
          expect(yield* temp.names).toEqual([])
        }), timeout)
    })
  })
}
