import { PROVIDER_NAMES } from "../src/providers/registry.js"
import { lifecycleContract } from "@vm/core/testing/lifecycleContract"
import { Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

// every provider module, over the fake Vagrant and the fake of its hypervisor CLI
for (const provider of PROVIDER_NAMES) {
  const project = makeTempProject((ws) =>
    `project:\n  name: contract\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: ${provider}\n`
  )
  afterAll(() => project.cleanup())

  lifecycleContract(
    `Vagrant provider (${provider}) on a fake Vagrant`,
    Layer.unwrapEffect(Effect.map(makeFakeVagrant, (fake) => providerWithFakes(project.ctx, fake.layer))),
    { instance: "dev" }
  )
}
