import { Command, Options } from "@effect/cli"
import { Effect, type Layer } from "effect"
import { loadProjectContext, providerFor } from "../project.js"

/** `vm` itself: global options every subcommand can read by yielding `vm`. */
export const vm = Command.make("vm", {
  config: Options.file("config").pipe(
    Options.withAlias("c"),
    Options.withDescription("Path to vm.yaml (default: search upward from the current directory)"),
    Options.optional
  )
})

type ProviderServices = Layer.Layer.Success<ReturnType<typeof providerFor>>

/** Runs `body` with the provider for the project vm.yaml points at. */
export const withProject = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const { config } = yield* vm
    const ctx = yield* loadProjectContext(config)
    return yield* body.pipe(Effect.provide(providerFor(ctx)))
  }) as Effect.Effect<
    A,
    E | Effect.Effect.Error<ReturnType<typeof loadProjectContext>> | Layer.Layer.Error<ReturnType<typeof providerFor>>,
    | Exclude<R, ProviderServices>
    | Effect.Effect.Context<ReturnType<typeof loadProjectContext>>
    | Layer.Layer.Context<ReturnType<typeof providerFor>>
    | Command.Command.Context<"vm">
  >
