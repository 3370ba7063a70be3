import { killContract } from "@vm/core/testing/killContract"
import { Effect, Layer } from "effect"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { PROVIDER_NAMES } from "../../src/providers/registry.js"
import { makeFakeVagrant } from "../../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "../helpers.js"

const yaml = (provider: string) => (ws: string) =>
  `project:\n  name: killcontract\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: ${provider}\n`

/** The Vagrant provider over a fake Vagrant whose machines the fake hypervisor CLIs can see and stop. */
const fakeProvider = (provider: string, lockHalt: boolean) => {
  const project = makeTempProject(yaml(provider))
  afterAll(() => project.cleanup())
  return {
    project,
    layer: Layer.unwrapEffect(Effect.gen(function*() {
      const fake = yield* makeFakeVagrant
      if (lockHalt) fake.locked.add("halt")
      return providerWithFakes(project.ctx, fake.layer)
    }))
  }
}

for (const provider of PROVIDER_NAMES) {
  const healthy = fakeProvider(provider, false)
  killContract(`${provider}: fake Vagrant, \`vagrant halt --force\` works`, healthy.layer, {
    instance: "dev",
    // the fake ssh runs guest commands on this host
    guestFile: Path.join(healthy.project.dir, "guest-file")
  })

  const locked = fakeProvider(provider, true)
  killContract(`${provider}: fake Vagrant, machine locked by another Vagrant process (hard stop)`, locked.layer, {
    instance: "dev",
    guestFile: Path.join(locked.project.dir, "guest-file")
  })
}
