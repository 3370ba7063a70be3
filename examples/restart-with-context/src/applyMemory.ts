import { type AppliedConfig, ContextualLifecycle, ProjectContext, type ProjectContextShape } from "@vm/core"
import { Config, Effect } from "effect"

/** The memory to apply, in MB, from the environment variable VM_MEMORY (vm.yaml's lower bound applies). */
export const memoryFromEnv = Config.integer("VM_MEMORY").pipe(
  Config.validate({ message: "VM_MEMORY must be at least 128 (MB)", validation: (mb) => mb >= 128 })
)

/** The project's context with `vm.memory` replaced: a context built in code, not read from vm.yaml. */
export const withMemory = (context: ProjectContextShape, memoryMb: number): ProjectContextShape => ({
  ...context,
  config: { ...context.config, vm: { ...context.config.vm, memory: memoryMb } }
})

/** Restarts `instance` with the project's context plus the memory from VM_MEMORY, the least disruptive way. */
export const restartWithMemoryFromEnv = (instance: string) =>
  Effect.gen(function*() {
    const memory = yield* memoryFromEnv
    const context = yield* ProjectContext
    const contextual = yield* ContextualLifecycle
    return yield* contextual.restartWithContext(instance, withMemory(context, memory))
  })

/** `dev: recreate because memory changed (512 MB → 768 MB); now running` */
export const describeApplied = (applied: AppliedConfig): string =>
  `${applied.machine.name}: ${applied.performed}${
    applied.reasons.length === 0 ? "" : ` because ${applied.reasons.join("; ")}`
  }; now ${applied.machine.state}`
