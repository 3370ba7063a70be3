import {
  type ConfigDrift,
  ContextualLifecycle,
  Lifecycle,
  type LifecycleShape,
  Progress,
  ProjectContext,
  type ProjectContextShape,
  type VmError
} from "@vm/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { PortAllocator } from "../PortAllocator.js"
import { VagrantLifecycleLive } from "../lifecycle/VagrantLifecycle.js"
import { type VagrantProject, type VagrantProjectDeps, VagrantProjectLive, VagrantProjectTag } from "../project/VagrantProject.js"
import { applyConfig, planFor } from "./apply.js"

/**
 * ContextualLifecycle for Vagrant: each call builds the project's operations for the caller's
 * context (cheap: no process runs), so Vagrantfile.vmtool is rendered from exactly that context.
 */
export const VagrantContextualLifecycleLive = Layer.effect(
  ContextualLifecycle,
  Effect.gen(function*() {
    const tools = yield* Effect.context<VagrantProjectDeps | PortAllocator>()
    const progress = yield* Progress
    const within = <A>(
      context: ProjectContextShape,
      body: (p: VagrantProject, lifecycle: LifecycleShape) => Effect.Effect<A, VmError>
    ): Effect.Effect<A, VmError> =>
      Effect.flatMap(Effect.all([VagrantProjectTag, Lifecycle]), ([p, lifecycle]) => body(p, lifecycle)).pipe(
        Effect.provide(
          VagrantLifecycleLive.pipe(
            Layer.provideMerge(VagrantProjectLive),
            Layer.provide(Layer.succeed(ProjectContext, context)),
            Layer.provide(Layer.succeedContext(tools))
          )
        )
      )

    return ContextualLifecycle.of({
      createWithContext: (instance, options, context) => within(context, (_, lifecycle) => lifecycle.create(instance, options)),
      startWithContext: (instance, context) => within(context, (p) => applyConfig(p, progress, instance, "start")),
      restartWithContext: (instance, context) => within(context, (p) => applyConfig(p, progress, instance, "restart")),
      drift: (instance, context) =>
        within(context, (p) =>
          Effect.map(planFor(p, instance), (plan): ConfigDrift => ({
            configChanged: plan.action !== "none",
            action: plan.action,
            reasons: plan.changes.map((c) => c.reason)
          })))
    })
  })
)
