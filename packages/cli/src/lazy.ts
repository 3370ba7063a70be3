import * as Effect from "effect/Effect"

/**
 * Runs a command's implementation from a module loaded when the command runs. Start-up then evaluates
 * only the command tree (options, help), not the providers, config schemas and Vagrant code behind it;
 * the bundle turns each `import()` into a lazily initialised module.
 */
export const lazily = <M, A, E, R>(load: () => Promise<M>, run: (module: M) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.promise(load), run)
