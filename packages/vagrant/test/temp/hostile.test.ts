import { describe, expect, it } from "@effect/vitest"
import { TempVms } from "@vm/core/TempVms"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { makeFakeTempStack, makeTempSandbox } from "./helpers.js"

const stateOf = (home: string, name: string) => Fs.readFileSync(Path.join(home, ".vm", "temp", name, "state.json"), "utf8")

describe("temp VMs: nothing is recorded that cannot be used afterwards", () => {
  it.live("a host directory whose name holds a newline and a marker line is refused; the record and the machine stay usable", () =>
    Effect.gen(function*() {
      const sandbox = makeTempSandbox()
      const stack = yield* makeFakeTempStack(sandbox.home)
      const evil = Path.join(sandbox.base, "x\n# END SYNCED FOLDERS\ny")
      Fs.mkdirSync(evil)
      yield* Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "vic", mounts: [sandbox.dirs[0]!], cwd: sandbox.base, provider: undefined, autoDestroy: false })
        const before = stateOf(sandbox.home, "vic")
        const error = yield* Effect.flip(temp.mount("vic", [evil], sandbox.base))
        expect(error.message).toContain("control characters")
        expect(stateOf(sandbox.home, "vic")).toBe(before)
        // still usable: another mount, then destroy
        yield* temp.mount("vic", [sandbox.dirs[1]!], sandbox.base)
        yield* temp.destroy("vic")
        expect(Fs.existsSync(Path.join(sandbox.home, ".vm", "temp", "vic"))).toBe(false)
      }).pipe(Effect.provide(stack.layer), Effect.ensuring(Effect.sync(sandbox.cleanup)))
    }))

  it.live("destroy works on a recorded state that no longer renders", () =>
    Effect.gen(function*() {
      const sandbox = makeTempSandbox()
      const stack = yield* makeFakeTempStack(sandbox.home)
      yield* Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "old", mounts: [sandbox.dirs[0]!], cwd: sandbox.base, provider: undefined, autoDestroy: false })
        // a record written by an older vm, before sources were validated
        const file = Path.join(sandbox.home, ".vm", "temp", "old", "state.json")
        const record = JSON.parse(Fs.readFileSync(file, "utf8"))
        record.mounts = [...record.mounts, { source: "/srv/a\n# END SYNCED FOLDERS", target: "/data", readonly: false }]
        Fs.writeFileSync(file, JSON.stringify(record))
        yield* temp.destroy("old")
        expect(Fs.existsSync(Path.join(sandbox.home, ".vm", "temp", "old"))).toBe(false)
      }).pipe(Effect.provide(stack.layer), Effect.ensuring(Effect.sync(sandbox.cleanup)))
    }))
})
