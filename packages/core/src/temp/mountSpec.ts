import * as Either from "effect/Either"
import { InvalidInput } from "../errors.js"

/** A mount as the user typed it, before the source is looked up on disk. */
export interface MountSpec {
  /** Host path as given (relative to the current directory, or absolute). */
  readonly source: string
  /** Guest path as given; undefined = `/workspace/<basename of the source>`. */
  readonly target: string | undefined
  /** undefined = not given (read-write). */
  readonly readonly: boolean | undefined
}

export const invalidMount = (spec: string, reason: string) => new InvalidInput({ what: `mount '${spec}'`, reason })

/**
 * Parses `SOURCE[:TARGET][:ro|rw]`. Host paths may contain ':', so the text is read from the right:
 * 1. a trailing `:ro` or `:rw` is the mode;
 * 2. then the text after the last ':' is the guest target if it starts with '/';
 * 3. everything before is the source, colons included.
 * `/data/a:b` is the directory `a:b`; a directory literally named `x:ro` is `x:ro:rw`;
 * a source that itself contains ':/' needs an explicit target: `a:/b:/workspace/b`.
 */
export const parseMountSpec = (spec: string): Either.Either<MountSpec, InvalidInput> => {
  if (spec.includes("\0")) return Either.left(invalidMount(spec, "contains a NUL byte"))
  const mode = /:(ro|rw)$/.exec(spec)
  const rest = mode ? spec.slice(0, -3) : spec
  const readonly = mode ? mode[1] === "ro" : undefined
  if (rest.endsWith(":")) return Either.left(invalidMount(spec, "empty guest target after ':'"))
  const colon = rest.lastIndexOf(":")
  const hasTarget = colon >= 0 && rest[colon + 1] === "/"
  const source = hasTarget ? rest.slice(0, colon) : rest
  const target = hasTarget ? rest.slice(colon + 1) : undefined
  if (source === "") return Either.left(invalidMount(spec, "no host directory given (expected SOURCE[:TARGET][:ro|rw])"))
  return Either.right({ source, target, readonly })
}
