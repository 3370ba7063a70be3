import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"

/** `vm` itself: global options every subcommand can read by yielding `vm`. */
export const vm = Command.make("vm", {
  config: Options.file("config").pipe(
    Options.withAlias("c"),
    Options.withDescription("Path to vm.yaml (default: search upward from the current directory)"),
    Options.optional
  )
})
