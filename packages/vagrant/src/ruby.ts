/**
 * Ruby literals for the generated Vagrantfile. Every user-supplied string goes through
 * `rubyString`; nothing user-supplied is ever placed inside double-quoted Ruby.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const assertEncodable = (s: string, what: string): void => {
  if (s.includes("\0")) throw new Error(`${what} contains a NUL byte; it must be rejected before rendering`)
  // a lone surrogate would be written as U+FFFD: the value would silently change
  if (LONE_SURROGATE.test(s)) throw new Error(`${what} is not valid Unicode (lone surrogate)`)
}

const singleQuoted = (s: string): string => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`

/**
 * A Ruby string literal whose value is exactly `s`.
 * Single quotes keep `#{}`, `"`, newlines and tabs literal. The one exception is CR: Ruby's lexer
 * turns CR LF in source into LF even inside a literal, so each CR is spliced in as the constant
 * `"\r"` using Ruby's adjacent-literal concatenation (`'a' "\r" '\nb'` is one string).
 */
export const rubyString = (s: string): string => {
  assertEncodable(s, "string")
  if (!s.includes("\r")) return singleQuoted(s)
  return s
    .split("\r")
    .map((part) => (part === "" ? "" : singleQuoted(part)))
    .join(' "\\r" ')
    .trim()
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A Ruby symbol for a fixed, code-chosen identifier (never user input). */
export const rubySymbol = (name: string): string => {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain Ruby identifier: ${JSON.stringify(name)}`)
  return `:${name}`
}

export type RubyValue =
  | string
  | number
  | boolean
  | null
  | ReadonlyArray<RubyValue>
  | { readonly [key: string]: RubyValue }

const rubyNumber = (n: number): string => {
  if (!Number.isFinite(n)) throw new Error(`cannot render ${n} as a Ruby number`)
  // JS prints e.g. 1e+21 / 5e-7, which Ruby also reads as Floats
  return Object.is(n, -0) ? "0" : String(n)
}

/** A Ruby literal for plain data; hashes use string keys (`'k' => v`). */
export const rubyValue = (v: RubyValue): string => {
  if (v === null) return "nil"
  if (typeof v === "string") return rubyString(v)
  if (typeof v === "number") return rubyNumber(v)
  if (typeof v === "boolean") return v ? "true" : "false"
  if (Array.isArray(v)) return `[${(v as ReadonlyArray<RubyValue>).map(rubyValue).join(", ")}]`
  const entries = Object.entries(v as { readonly [key: string]: RubyValue })
  if (entries.length === 0) return "{}"
  return `{ ${entries.map(([k, x]) => `${rubyString(k)} => ${rubyValue(x)}`).join(", ")} }`
}
