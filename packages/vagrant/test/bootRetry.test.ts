import { describe, expect, layer } from "@effect/vitest"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

const project = makeTempProject((ws) => `project:\n  name: retry\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: docker\n`)
afterAll(() => project.cleanup())
const fake = Effect.runSync(makeFakeVagrant)
const ups = Effect.map(fake.calls, (calls) => calls.filter((c) => c.args[0] === "up").length)
// what Vagrant's docker provider prints when another container vanishes while it inspects them all
const RACE = "Stderr: Error: No such object: 3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e\n"

describe("vagrant up on the docker provider", () => {
  layer(providerWithFakes(project.ctx, fake.layer), { excludeTestServices: true })((it) => {
    it.effect("the container-inspection race is retried once, and the machine comes up", () =>
      Effect.gen(function*() {
        fake.failNext.set("up", RACE)
        const machine = yield* (yield* Lifecycle).create("dev", { force: false })
        expect(machine.state).toBe("running")
        expect(yield* ups).toBe(2)
      }))

    it.effect("any other failure is not retried", () =>
      Effect.gen(function*() {
        const before = yield* ups
        fake.failNext.set("up", "Error response from daemon: No such image: vm-local/debian:bookworm\n")
        const error = yield* Effect.flip((yield* Lifecycle).create("dev", { force: true }))
        expect(error.message).toContain("No such image")
        expect((yield* ups) - before).toBe(1)
      }))
  })
})
