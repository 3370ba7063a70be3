/** The instance a project's commands act on when none is named (plain data: the CLI's options read it at start-up). */
export const DEFAULT_INSTANCE = "dev"
