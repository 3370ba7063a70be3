import * as Effect from "effect/Effect"

/** Shells report a run ended by Ctrl-C as 128 + SIGINT. */
let exitCode = 130

/** The exit code of a run that Ctrl-C (or SIGTERM) interrupted. */
export const interruptExitCode = (): number => exitCode

/** For a command that runs until it is stopped (`vm status --watch`): Ctrl-C is its normal end, exit 0. */
export const interruptIsNormalEnd = Effect.sync(() => {
  exitCode = 0
})
