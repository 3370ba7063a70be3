// The same status lines against a simulated Vagrant (@vm/vagrant/testing): no Vagrant, hypervisor or
// network needed. It creates `dev` and a stopped `web` in the simulated world first, then prints the lines
// and which Vagrant commands the program cost.
//
//   node dist/fake.js PROJECT_DIR      (a project whose vm.yaml has `vagrant: {provider: docker}`)
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Lifecycle } from "@vm/core"
import { FakeVagrant, FakeVagrantProvider } from "@vm/vagrant/testing"
import { Console, Effect } from "effect"
import { statusLines } from "./statusLines.js"

const program = Effect.gen(function*() {
  const lifecycle = yield* Lifecycle
  yield* lifecycle.create("dev", { force: false })
  yield* lifecycle.create("web", { force: false })
  yield* lifecycle.stop("web")
  const world = yield* FakeVagrant
  const before = (yield* world.calls).length

  yield* Console.log((yield* statusLines).join("\n"))
  const calls = (yield* world.calls).slice(before).map((call) => call.args[0])
  yield* Console.log(`vagrant commands for the status lines: ${calls.length === 0 ? "none" : calls.join(" ")}`)
})

program.pipe(
  Effect.provide(FakeVagrantProvider.layer({ root: process.argv[2] ?? process.cwd() })),
  // every failure is a typed error with a readable message (ConfigNotFound, VmNotFound, CommandFailed, …)
  Effect.catchAll((error) => Effect.zipRight(Console.error(`status: ${error.message}`), Effect.sync(() => process.exitCode = 1))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
