import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"

/** The instance a project command acts on. */
export const nameArg = Args.text({ name: "name" }).pipe(
  Args.withDescription("Instance name or a unique prefix (default: the only/`dev` instance)"),
  Args.optional
)

export const jsonOption = Options.boolean("json").pipe(Options.withDescription("Print JSON"))
