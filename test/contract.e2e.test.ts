/**
 * The provider contract from packages/core, run against the real Vagrant provider (library layers,
 * not the CLI): the same scenario the fake passes in packages/vagrant/test/contract.test.ts.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { decodeProjectConfig } from "@vm/core/config/decode"
import { emptyGlobalConfig } from "@vm/core/config/schema"
import { Progress } from "@vm/core/Progress"
import { ProjectContext } from "@vm/core/ProjectContext"
import { lifecycleContract } from "@vm/core/testing/lifecycleContract"
import { ToolsLive, VagrantProviderLayer } from "@vm/vagrant/layers"
import { Either, Layer } from "effect"
import { afterAll, describe } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { makeSandbox } from "./support/sandbox.js"

const e2e = await realVagrantAvailable()

const yaml = "project:\n  name: e2e-contract\nvagrant:\n  provider: docker\n"
const sandbox = e2e.ok ? await makeSandbox({ projectName: "e2e-contract", vmYaml: yaml }) : undefined

describe.runIf(sandbox !== undefined)("real Vagrant (docker provider)", () => {
  if (sandbox === undefined) return
  afterAll(() => sandbox.cleanup())
  const config = Either.getOrThrow(decodeProjectConfig(yaml, `${sandbox.project}/vm.yaml`))
  const context = Layer.succeed(ProjectContext, {
    root: sandbox.project,
    configFile: `${sandbox.project}/vm.yaml`,
    config,
    global: emptyGlobalConfig,
    home: sandbox.home
  })
  const provider = VagrantProviderLayer.pipe(
    Layer.provide(Layer.mergeAll(context, ToolsLive, Progress.silent)),
    Layer.provide(NodeContext.layer)
  )
  lifecycleContract("Vagrant provider on real Vagrant", provider, { instance: "dev", timeout: 300_000 })
})
