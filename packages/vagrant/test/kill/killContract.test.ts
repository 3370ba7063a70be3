import { killContract } from "@vm/core/testing/killContract"
import { Effect, Layer } from "effect"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { makeFakeHypervisors } from "../../src/testing/FakeHypervisors.js"
import { makeFakeVagrant } from "../../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "../helpers.js"

const yaml = (ws: string) => `project:\n  name: killcontract\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: docker\n`

/** The Vagrant provider over a fake Vagrant whose docker machines the fake docker CLI can see and kill. */
const fakeProvider = (lockHalt: boolean) => {
  const project = makeTempProject(yaml)
  afterAll(() => project.cleanup())
  return {
    project,
    layer: Layer.unwrapEffect(Effect.gen(function*() {
      const fake = yield* makeFakeVagrant
      if (lockHalt) fake.locked.add("halt")
      const hypervisors = yield* makeFakeHypervisors({ docker: fake.dockerAnswer })
      return providerWithFakes(project.ctx, Layer.merge(fake.layer, hypervisors.layer))
    }))
  }
}

const healthy = fakeProvider(false)
killContract("fake Vagrant, `vagrant halt --force` works", healthy.layer, {
  instance: "dev",
  // the fake ssh runs guest commands on this host
  guestFile: Path.join(healthy.project.dir, "guest-file")
})

const locked = fakeProvider(true)
killContract("fake Vagrant, machine locked by another Vagrant process (docker kill)", locked.layer, {
  instance: "dev",
  guestFile: Path.join(locked.project.dir, "guest-file")
})
