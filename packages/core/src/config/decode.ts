import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Yaml from "yaml"
import { ConfigInvalid } from "../errors.js"
import { GlobalConfig, ProjectConfig } from "./schema.js"

/** vm.yaml and config.yaml are a few KiB; a larger file is not one a person wrote (and YAML is slow on it). */
export const MAX_CONFIG_BYTES = 128 * 1024
/** Aliases a file may resolve: a few are convenient, thousands are an "alias bomb". */
export const MAX_ALIASES = 100

const invalid = (file: string, reason: string, key = "") => Either.left(new ConfigInvalid({ file, key, reason }))

/** Deeper than any config: the YAML parser recurses per level (deep input exhausts its stack, even its heap). */
export const MAX_NESTING = 64

/** Why the text nests too deep to hand to the parser: flow brackets, or block indentation. Linear. */
const nestingProblem = (text: string): string | undefined => {
  let depth = 0
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote !== undefined) {
      if (c === "\\" && quote === '"') i++
      else if (c === quote) quote = undefined
      else if (c === "\n" && quote === "#") quote = undefined
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) quote = "#"
    else if (c === "[" || c === "{") {
      if (++depth > MAX_NESTING) return `nests deeper than ${MAX_NESTING} levels of [ and {, more than any vm config needs`
    } else if ((c === "]" || c === "}") && depth > 0) depth--
  }
  // block nesting: each level indents further
  const deepest = Math.max(0, ...text.split("\n").map((line) => line.length - line.trimStart().length))
  return deepest > 4 * MAX_NESTING ? `indents deeper than ${4 * MAX_NESTING} columns, more than any vm config needs` : undefined
}

/** The first key that appears twice in one mapping, as a dotted path (one pass: linear in the file). */
const duplicateKey = (node: unknown, path: ReadonlyArray<string>): string | undefined => {
  if (Yaml.isMap(node)) {
    const seen = new Set<string>()
    for (const item of node.items) {
      const key = Yaml.isScalar(item.key) ? String(item.key.value) : String(item.key)
      if (seen.has(key)) return [...path, key].join(".")
      seen.add(key)
      const inner = duplicateKey(item.value, [...path, key])
      if (inner !== undefined) return inner
    }
  } else if (Yaml.isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inner = duplicateKey(item, [...path, String(i)])
      if (inner !== undefined) return inner
    }
  }
  return undefined
}

const parseYaml = (text: string, file: string): Either.Either<unknown, ConfigInvalid> => {
  if (text.length > MAX_CONFIG_BYTES) {
    return invalid(file, `is larger than ${MAX_CONFIG_BYTES / 1024} KiB, more than any vm config needs; is it the right file?`)
  }
  const depth = nestingProblem(text)
  if (depth !== undefined) return invalid(file, depth)
  // uniqueKeys compares every pair of keys (quadratic): duplicates are found below in one pass instead
  const doc = Yaml.parseDocument(text, { prettyErrors: true, uniqueKeys: false })
  const first = doc.errors[0]
  if (first !== undefined) {
    const line = first.linePos?.[0]
    const at = line ? ` at line ${line.line}, column ${line.col}` : ""
    const what = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")
    return invalid(file, `not valid YAML${at}: ${what}`)
  }
  const duplicate = duplicateKey(doc.contents, [])
  if (duplicate !== undefined) return invalid(file, "not valid YAML: the key appears twice", duplicate)
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    return invalid(
      file,
      /alias count/i.test(message)
        ? `not plain data: it expands more than ${MAX_ALIASES} YAML aliases`
        : `not plain data: ${message.replace(/ \(the anchor must be set before the alias\)/, "")} (an alias needs an anchor defined before it)`
    )
  }
  if (value === null || value === undefined) return Either.right({})
  if (typeof value !== "object" || Array.isArray(value)) {
    return invalid(file, `must be a mapping of keys (like 'project:'), not ${Array.isArray(value) ? "a list" : "a single value"}`)
  }
  return Either.right(value)
}

/**
 * A config file's bytes as text: UTF-8 (a BOM is dropped); UTF-16 and invalid UTF-8 are refused
 * rather than decoded into replacement characters.
 */
export const configText = (bytes: Uint8Array, file: string): Either.Either<string, ConfigInvalid> => {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return invalid(file, "is UTF-16 encoded; save it as UTF-8")
  }
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
  try {
    return Either.right(new TextDecoder("utf-8", { fatal: true }).decode(body))
  } catch {
    const at = firstInvalidUtf8(body)
    return invalid(file, `is not valid UTF-8 text (byte ${at + 1}${lineOf(body, at)}); save it as UTF-8`)
  }
}

const lineOf = (bytes: Uint8Array, at: number) => `, line ${bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1}`

/** Index of the first byte that does not start or continue a valid UTF-8 sequence. */
const firstInvalidUtf8 = (bytes: Uint8Array): number => {
  const decoder = new TextDecoder("utf-8", { fatal: true })
  let lo = 0
  let hi = bytes.length
  // the longest valid prefix, by bisection over prefix lengths (a cut inside a sequence is invalid too: step back 3)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    try {
      decoder.decode(bytes.subarray(0, mid))
      lo = mid
    } catch {
      hi = mid - 1
    }
  }
  return lo
}

/** Turns a Schema failure into one error naming the first offending key. */
const toConfigInvalid = (file: string) => (error: ParseResult.ParseError): ConfigInvalid => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const issue = issues[0]
  if (issue === undefined) return new ConfigInvalid({ file, key: "", reason: error.message })
  const key = issue.path.map(String).join(".")
  // a name the environment record's key pattern refuses surfaces as an excess key
  const reason = issue._tag !== "Unexpected"
    ? issue.message
    : issue.path.at(-2) === "environment"
    ? `'${String(issue.path.at(-1))}' is not a valid variable name (letters, digits and _, not starting with a digit)`
    : "unknown key"
  return new ConfigInvalid({ file, key, reason })
}

const decoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "error", errors: "first" })
  return (text: string, file: string): Either.Either<A, ConfigInvalid> =>
    Either.flatMap(parseYaml(text, file), (raw) => Either.mapLeft(decode(raw), toConfigInvalid(file)))
}

/** Decodes the text of a vm.yaml; `file` only names the source in errors. */
export const decodeProjectConfig = decoder(ProjectConfig)
/** Decodes the text of ~/.vm/config.yaml. */
export const decodeGlobalConfig = decoder(GlobalConfig)
