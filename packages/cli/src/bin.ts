import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeCommandExecutor from "@effect/platform-node/NodeCommandExecutor"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { HomeDir } from "@vm/core/config/home"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { cli } from "./Cli.js"
import { interruptExitCode } from "./interruptExit.js"

const isDomainError = (e: unknown): e is { _tag: string; message: string } =>
  typeof e === "object" && e !== null && "_tag" in e && "message" in e

/** NodeContext.layer without its worker manager, which vm never uses (less to load at start-up). */
const platform = Layer.mergeAll(NodePath.layer, NodeCommandExecutor.layer, NodeTerminal.layer).pipe(
  Layer.provideMerge(NodeFileSystem.layer)
)

const main = cli(process.argv).pipe(
  Effect.tapError((e) =>
    ValidationError.isValidationError(e) || (isDomainError(e) && e._tag === "GuestExit")
      ? Effect.void
      : Console.error(`vm: ${isDomainError(e) ? e.message : String(e)}`)
  ),
  Effect.provide(Layer.mergeAll(platform, HomeDir.fromEnv))
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
