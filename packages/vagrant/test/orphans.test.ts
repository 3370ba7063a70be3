import { describe, expect, layer } from "@effect/vitest"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

// A project whose `.vm/vagrant` was deleted while its libvirt domain still exists
const project = makeTempProject((ws) =>
  `project:\n  name: orphan\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: libvirt\n`
)
afterAll(() => project.cleanup())
const fake = Effect.runSync(makeFakeVagrant)
const loseDataDir = Effect.sync(() => Fs.rmSync(Path.join(project.root, ".vm", "vagrant"), { recursive: true, force: true }))

describe("a lost Vagrant data directory (libvirt)", () => {
  layer(providerWithFakes(project.ctx, fake.layer), { excludeTestServices: true })((it) => {
    it.effect("start and create refuse, naming the machine and the command that removes it", () =>
      Effect.gen(function*() {
        const lifecycle = yield* Lifecycle
        const created = yield* lifecycle.create("dev", { force: false })
        yield* loseDataDir
        const start = yield* Effect.flip(lifecycle.start("dev"))
        expect(start.message).toContain(created.id!)
        expect(start.message).toContain("vm destroy --force dev")
        const again = yield* Effect.flip(lifecycle.create("dev", { force: false }))
        expect(again.message).toContain("vm destroy --force dev")
      }))

    it.effect("destroy removes the domain by its uuid (found by vagrant-libvirt's name), then nothing is left", () =>
      Effect.gen(function*() {
        const lifecycle = yield* Lifecycle
        const before = (yield* fake.hypervisorCalls).length
        yield* lifecycle.destroy("dev")
        const calls = (yield* fake.hypervisorCalls).slice(before).filter((c) => c[0] === "virsh").map((c) => c[3])
        expect(calls).toEqual(["domuuid", "destroy", "undefine"])
        expect(fake.states.has("dev")).toBe(false)
        expect(yield* Effect.flip(lifecycle.state("dev"))).toMatchObject({ _tag: "VmNotFound" })
        // and a new machine can be created under the same name
        expect((yield* lifecycle.create("dev", { force: false })).state).toBe("running")
        yield* lifecycle.destroy("dev")
      }))
  })
})
