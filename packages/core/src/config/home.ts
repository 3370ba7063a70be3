import * as Context from "effect/Context"
import * as Layer from "effect/Layer"

/** The user's home directory, injectable so tests never touch the real one. */
export class HomeDir extends Context.Tag("@vm/core/HomeDir")<HomeDir, string>() {
  static readonly fromEnv = Layer.sync(HomeDir, () => process.env["HOME"] ?? process.cwd())
}
