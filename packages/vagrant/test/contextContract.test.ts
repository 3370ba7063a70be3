import { moduleOf, PROVIDER_NAMES } from "../src/providers/registry.js"
import { contextContract } from "@vm/core/testing/contextContract"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

/** The context contract on the fake Vagrant, which mounts like the docker provider (recreate) or a hypervisor (reload). */
for (const provider of PROVIDER_NAMES) {
  const change = moduleOf(provider).hardwareChange
  const project = makeTempProject((ws) =>
    `project:\n  name: context-${provider}\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: ${provider}\n`
  )
  afterAll(() => project.cleanup())
  const source = Path.join(project.dir, "shared")
  Fs.mkdirSync(source)
  Fs.writeFileSync(Path.join(source, "marker"), "shared data\n")

  contextContract(
    `Vagrant provider (${provider}) on a fake Vagrant`,
    Layer.unwrapEffect(Effect.map(makeFakeVagrant, (fake) => providerWithFakes(project.ctx, fake.layer))),
    {
      instance: "dev",
      base: project.ctx,
      folder: { source, target: Path.join(project.dir, "guest", "data"), marker: "shared data\n" },
      syncedFolderChange: change
    }
  )
}
