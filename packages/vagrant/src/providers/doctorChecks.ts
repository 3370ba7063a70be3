import type { RunResult } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { type CheckOutcome, fail, firstLine, ok } from "../doctor/Check.js"
import type { CliError } from "../hypervisors/cli.js"
import type { DoctorEnv } from "./Provider.js"

/** How to fix a tool that is missing or hangs. */
export interface ToolFixes {
  readonly missing: string
  readonly hang: string
}

/**
 * A check over one call of a provider's tool, run without an exit-code check so `read` sees every answer;
 * a missing tool and a hang become failures with their fixes.
 */
export const toolCheck = (
  call: Effect.Effect<RunResult, CliError>,
  read: (r: RunResult) => CheckOutcome,
  fixes: ToolFixes
): Effect.Effect<CheckOutcome> =>
  call.pipe(
    Effect.map(read),
    Effect.catchTags({
      ToolNotInstalled: (e) => Effect.succeed(fail(`'${e.tool}' is not installed or not on PATH`, fixes.missing)),
      CommandTimeout: (e) => Effect.succeed(fail(`\`${e.command.join(" ")}\` did not answer within ${e.timeoutMs / 1000} s`, fixes.hang)),
      CommandFailed: (e) => Effect.succeed(fail(firstLine(e.stderrTail) || `exit ${e.exitCode}`, fixes.hang))
    })
  )

/** What a failed call printed, for a check's detail. */
export const failure = (r: RunResult) => firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.exitCode}`

/** A program the provider needs only on PATH (it is not run). */
export const onPathCheck = (env: DoctorEnv, tool: string, missingFix: string): Effect.Effect<CheckOutcome> =>
  Effect.map(env.host.which(tool), Option.match({
    onNone: () => fail(`'${tool}' is not on PATH`, missingFix),
    onSome: (path) => ok(path)
  }))
