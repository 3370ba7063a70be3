import { Either, ParseResult, Schema } from "effect"
import * as Yaml from "yaml"
import { ConfigInvalid } from "../errors.js"
import { GlobalConfig, ProjectConfig } from "./schema.js"

const parseYaml = (text: string, file: string): Either.Either<unknown, ConfigInvalid> => {
  const doc = Yaml.parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  const first = doc.errors[0]
  if (first !== undefined) {
    const line = first.linePos?.[0]
    const at = line ? ` at line ${line.line}, column ${line.col}` : ""
    const what = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")
    return Either.left(new ConfigInvalid({ file, key: "", reason: `not valid YAML${at}: ${what}` }))
  }
  const value: unknown = doc.toJS()
  return Either.right(value ?? {})
}

/** Turns a Schema failure into one error naming the first offending key. */
const toConfigInvalid = (file: string) => (error: ParseResult.ParseError): ConfigInvalid => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  const issue = issues[0]
  if (issue === undefined) return new ConfigInvalid({ file, key: "", reason: error.message })
  const key = issue.path.map(String).join(".")
  const reason = issue._tag === "Unexpected" ? "unknown key" : issue.message
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
