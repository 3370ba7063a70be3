import { lifecycleContract } from "@vm/core/testing/lifecycleContract"
import { Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

const project = makeTempProject((ws) => `project:\n  name: contract\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: docker\n`)
afterAll(() => project.cleanup())

lifecycleContract(
  "Vagrant provider on a fake Vagrant",
  Layer.unwrapEffect(Effect.map(makeFakeVagrant, (fake) => providerWithFakes(project.ctx, fake.layer))),
  { instance: "dev" }
)
