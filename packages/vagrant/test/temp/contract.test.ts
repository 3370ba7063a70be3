import { tempContract } from "@vm/core/testing/tempContract"
import { Effect, Layer } from "effect"
import { afterAll } from "vitest"
import { makeFakeTempStack, makeTempSandbox } from "./helpers.js"

const sandbox = makeTempSandbox()
afterAll(() => sandbox.cleanup())

tempContract(
  "Vagrant temp VMs on a fake Vagrant (docker provider)",
  Layer.unwrapEffect(Effect.map(makeFakeTempStack(sandbox.home), (stack) => stack.layer)),
  { names: ["first-vm", "second-vm"], dirs: sandbox.dirs as [string, string, string] }
)
