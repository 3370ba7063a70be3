/**
 * Shared generators for the property tests (fast-check as re-exported by `effect`).
 * Every property runs with a fixed seed so CI is deterministic; change a seed only on purpose.
 */
import { FastCheck as fc } from "effect"
import { HOSTILE_FRAGMENTS } from "../support/realTools.js"

/** A lone (unpaired) UTF-16 surrogate anywhere in the string. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const controlChar = fc.oneof(fc.integer({ min: 1, max: 0x1f }), fc.constant(0x7f)).map((c) => String.fromCharCode(c))

/** One piece of a hostile string: quoting metacharacters, line breaks, control characters, any code point. */
const piece = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS), weight: 4 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 6 }), weight: 3 },
  { arbitrary: controlChar, weight: 1 },
  { arbitrary: fc.constantFrom("\r\n", "\n", "\r", "#{", "}", "'", "\\", "\"", "=", " ", "-"), weight: 2 }
)

/** Any string without NUL and without lone surrogates (full Unicode, astral planes included). */
export const hostileString = (maxPieces = 8) =>
  fc.array(piece, { maxLength: maxPieces }).map((parts) => parts.join("").replaceAll("\0", ""))

/** A string that contains a NUL byte or a lone surrogate somewhere. */
export const unencodableString = fc
  .tuple(
    hostileString(4),
    fc.constantFrom("\0", "\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00"),
    hostileString(4)
  )
  .map(([a, bad, b]) => `${a}${bad}${b}`)
  // "\ud83d" + "\ude00" written next to each other by chance would form a valid pair
  .filter((s) => s.includes("\0") || LONE_SURROGATE.test(s))

/** Prints the first element of `items` failing `ok`, with its index, for a readable failure. */
export const firstFailure = <A>(items: ReadonlyArray<A>, ok: (item: A, index: number) => boolean): string | undefined => {
  const index = items.findIndex((item, i) => !ok(item, i))
  return index < 0 ? undefined : `case #${index}: ${JSON.stringify(items[index])}`
}
