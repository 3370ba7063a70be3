import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { DEFAULT_INTERVAL_S, MIN_INTERVAL_S, parseInterval } from "../watchInterval.js"

/** The options `vm status` and `vm temp status` share. */
export const freshOption = Options.boolean("fresh").pipe(
  Options.withDescription("Collect live values (skip the few-second report cache)")
)

export const allOption = Options.boolean("all").pipe(
  Options.withDescription("Every machine at once, queried in parallel: a table (--json: an array)")
)

const usage = (text: string) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(text)))

/** `--watch [--interval S]`: Some(interval in ms) when watching; `--interval` alone is a usage error. */
export const watchOption = Options.all({
  watch: Options.boolean("watch").pipe(
    Options.withDescription(
      "Redraw every interval until Ctrl-C, like `docker stats`; off a terminal (or with --json) one JSON line per machine per interval"
    )
  ),
  interval: Options.text("interval").pipe(
    Options.withPseudoName("S"),
    Options.withDescription(`Seconds between two frames of --watch (default ${DEFAULT_INTERVAL_S}, at least ${MIN_INTERVAL_S}; 500ms, 2s, 1m also work)`),
    Options.optional
  )
}).pipe(
  Options.mapEffect(({ interval, watch }) => {
    if (!watch) return Option.isSome(interval) ? usage("--interval only applies with --watch") : Effect.succeed(Option.none<number>())
    const parsed = parseInterval(Option.getOrElse(interval, () => String(DEFAULT_INTERVAL_S)))
    return Either.isLeft(parsed) ? usage(`--interval: ${parsed.left}`) : Effect.succeed(Option.some(parsed.right))
  })
)
