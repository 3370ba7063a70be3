import * as Effect from "effect/Effect"
import { AmbiguousInstance, InvalidInput, VmNotFound } from "./errors.js"
import { DEFAULT_INSTANCE } from "./instanceName.js"

export { DEFAULT_INSTANCE }

const INSTANCE_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/

/** Checks a user-chosen instance name before anything is created with it. */
export const validateInstanceName = (name: string) =>
  INSTANCE_NAME.test(name)
    ? Effect.succeed(name)
    : Effect.fail(
      new InvalidInput({
        what: `instance name '${name}'`,
        reason: "use 1-40 lower-case letters, digits and '-', starting with a letter or digit"
      })
    )

/**
 * Picks the instance a user meant: the default when none is given, else an exact name,
 * else a unique prefix, else a unique substring.
 */
export const resolveInstance = (
  query: string | undefined,
  known: ReadonlyArray<string>
): Effect.Effect<string, VmNotFound | AmbiguousInstance> =>
  Effect.suspend((): Effect.Effect<string, VmNotFound | AmbiguousInstance> => {
    const wanted = query ?? DEFAULT_INSTANCE
    if (known.includes(wanted)) return Effect.succeed(wanted)
    if (query === undefined) {
      if (known.length === 1) return Effect.succeed(known[0]!)
      return Effect.fail(new VmNotFound({ name: wanted, known: [...known] }))
    }
    for (const match of [(k: string) => k.startsWith(query), (k: string) => k.includes(query)]) {
      const hits = known.filter(match)
      if (hits.length === 1) return Effect.succeed(hits[0]!)
      if (hits.length > 1) return Effect.fail(new AmbiguousInstance({ query, candidates: hits }))
    }
    return Effect.fail(new VmNotFound({ name: query, known: [...known] }))
  })
