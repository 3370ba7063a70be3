import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface ProgressShape {
  /** Runs `effect` as a named phase: a spinner on a terminal, nothing when piped. */
  readonly phase: <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Updates the detail text of the current phase (e.g. the latest Vagrant line). */
  readonly detail: (text: string) => Effect.Effect<void>
  /** A one-line notice the user should see before something happens (stderr). */
  readonly notice: (text: string) => Effect.Effect<void>
}

/** Where long operations report their phases and notices; `Progress.silent` discards them. */
export class Progress extends Context.Tag("@vm/core/Progress")<Progress, ProgressShape>() {
  /** Discards everything: tests and library callers that show their own progress. */
  static readonly silent = Layer.succeed(Progress, {
    phase: <A, E, R>(_label: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => effect,
    detail: () => Effect.void,
    notice: () => Effect.void
  })
}
