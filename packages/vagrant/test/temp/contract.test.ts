import { tempContract } from "@vm/core/testing/tempContract"
import { Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { PROVIDER_NAMES } from "../../src/providers/registry.js"
import { globalWith, makeFakeTempStack, makeTempSandbox } from "./helpers.js"

const sandbox = makeTempSandbox()
afterAll(() => sandbox.cleanup())

for (const provider of PROVIDER_NAMES) {
  tempContract(
    `Vagrant temp VMs on a fake Vagrant (${provider} provider)`,
    Layer.unwrapEffect(Effect.map(makeFakeTempStack(sandbox.home, globalWith({ defaults: { provider } })), (stack) => stack.layer)),
    { names: [`first-${provider.replace("_", "-")}`, `second-${provider.replace("_", "-")}`], dirs: sandbox.dirs as [string, string, string] }
  )
}
