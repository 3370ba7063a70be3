// Prints one status line per machine of the project in PROJECT_DIR (default: the current directory):
//
//   node dist/main.js [PROJECT_DIR]
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { VagrantProvider } from "@vm/vagrant"
import { Console, Effect } from "effect"
import { statusLines } from "./statusLines.js"

const program = Effect.gen(function*() {
  const lines = yield* statusLines
  yield* Console.log(lines.length === 0 ? "no machines yet" : lines.join("\n"))
})

program.pipe(
  Effect.provide(VagrantProvider.layer({ root: process.argv[2] ?? process.cwd() })),
  // every failure is a typed error with a readable message (ConfigNotFound, VmNotFound, CommandFailed, …)
  Effect.catchAll((error) => Effect.zipRight(Console.error(`status: ${error.message}`), Effect.sync(() => process.exitCode = 1))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
