import { InvalidInput } from "@vm/core"
import * as Effect from "effect/Effect"
import { UUID as GUID } from "./ids.js"

/**
 * PowerShell treats these as single quotes too (its tokenizer's IsSingleQuote); a single-quoted
 * literal ends at any of them unless it is doubled.
 */
const SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g

/**
 * THE way a value enters a PowerShell script: a single-quoted literal (no `$` expansion, no
 * sub-expressions, no escapes), every quote character doubled. NUL cannot cross a command line.
 */
export const powershellString = (value: string): string => {
  if (value.includes("\0")) throw new Error("powershellString: NUL byte in value")
  return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`
}


/** Hyper-V VM ids are GUIDs; anything else (a corrupt id file) is refused before it reaches a script. */
export const validGuid = (what: string, value: string): Effect.Effect<string, InvalidInput> =>
  GUID.test(value)
    ? Effect.succeed(value.toLowerCase())
    : Effect.fail(new InvalidInput({ what, reason: `'${value}' is not a GUID` }))
