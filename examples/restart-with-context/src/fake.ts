// The same restart against a simulated Vagrant (@vm/vagrant/testing): creates `dev`, applies VM_MEMORY,
// prints what was performed and the Vagrant commands it took.
//
//   VM_MEMORY=768 node dist/fake.js PROJECT_DIR
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Lifecycle } from "@vm/core"
import { FakeVagrant, FakeVagrantProvider } from "@vm/vagrant/testing"
import { Console, Effect } from "effect"
import { describeApplied, restartWithMemoryFromEnv } from "./applyMemory.js"

const program = Effect.gen(function*() {
  yield* (yield* Lifecycle).create("dev", { force: false })
  const world = yield* FakeVagrant
  const before = (yield* world.calls).length

  yield* Console.log(describeApplied(yield* restartWithMemoryFromEnv("dev")))
  const calls = (yield* world.calls).slice(before).map((call) => call.args[0])
  yield* Console.log(`vagrant commands: ${calls.join(" ")}`)
})

program.pipe(
  Effect.provide(FakeVagrantProvider.layer({ root: process.argv[2] ?? process.cwd() })),
  // every failure is a typed error with a readable message (ConfigNotFound, VmNotFound, CommandFailed, …)
  Effect.catchAll((error) => Effect.zipRight(Console.error(`restart: ${error.message}`), Effect.sync(() => process.exitCode = 1))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
