import { ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { HomeDir } from "@vm/core/config/load"
import { Cause, Console, Effect, Exit, Layer, Option } from "effect"
import { cli } from "./Cli.js"
import { interruptExitCode } from "./interruptExit.js"

const isDomainError = (e: unknown): e is { _tag: string; message: string } =>
  typeof e === "object" && e !== null && "_tag" in e && "message" in e

const main = cli(process.argv).pipe(
  Effect.tapError((e) =>
    ValidationError.isValidationError(e) || (isDomainError(e) && e._tag === "GuestExit")
      ? Effect.void
      : Console.error(`vm: ${isDomainError(e) ? e.message : String(e)}`)
  ),
  Effect.provide(Layer.mergeAll(NodeContext.layer, HomeDir.fromEnv))
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    // exit now: a timed-out child that was signalled but is slow to die must not hold the process open
    if (Exit.isSuccess(exit)) return process.exit(0)
    if (Cause.isInterruptedOnly(exit.cause)) return onExit(interruptExitCode())
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) {
      process.stderr.write(`vm: internal error\n${Cause.pretty(exit.cause)}\n`)
      return onExit(70)
    }
    const e = failure.value as unknown
    if (ValidationError.isValidationError(e)) return onExit(2)
    if (isDomainError(e) && e._tag === "GuestExit") return onExit((e as unknown as { code: number }).code)
    onExit(1)
  }
})
