// Restarts a machine of the project in PROJECT_DIR with the memory from VM_MEMORY and reports what was performed:
//
//   VM_MEMORY=768 node dist/main.js [PROJECT_DIR] [INSTANCE]
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { VagrantProvider } from "@vm/vagrant"
import { Console, Effect } from "effect"
import { describeApplied, restartWithMemoryFromEnv } from "./applyMemory.js"

const program = Effect.flatMap(restartWithMemoryFromEnv(process.argv[3] ?? "dev"), (applied) => Console.log(describeApplied(applied)))

program.pipe(
  // progress ("recreating dev …" notices) is silent by default; pass `progress` to show it
  Effect.provide(VagrantProvider.layer({ root: process.argv[2] ?? process.cwd() })),
  // every failure is a typed error with a readable message (ConfigNotFound, VmNotFound, CommandFailed, …)
  Effect.catchAll((error) => Effect.zipRight(Console.error(`restart: ${error.message}`), Effect.sync(() => process.exitCode = 1))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
