import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ConfigInvalid, ConfigNotFound } from "../errors.js"
import { configText, decodeGlobalConfig, decodeProjectConfig } from "./decode.js"
import { emptyGlobalConfig, type GlobalConfig, type ProjectConfig } from "./schema.js"

// the tag lives on its own so that the CLI can provide it at start-up without loading the config code
export { HomeDir } from "./home.js"

export const PROJECT_CONFIG_FILE = "vm.yaml"

/** Where `vm` keeps its per-user files. */
export const vmHome = (home: string, path: Path.Path) => path.join(home, ".vm")

const readIfExists = (fs: FileSystem.FileSystem, file: string) =>
  fs.exists(file).pipe(
    Effect.flatMap((exists) => exists ? Effect.map(fs.readFile(file), Option.some) : Effect.succeed(Option.none())),
    Effect.mapError((e) => new ConfigInvalid({ file, key: "", reason: `cannot read: ${e.message}` })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(Option.none<string>()),
      onSome: (bytes) => Effect.map(configText(bytes, file), Option.some)
    }))
  )

/** Finds vm.yaml in `from` or the nearest parent directory. */
export const findProjectConfig = (from: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    let dir = path.resolve(from)
    for (;;) {
      const candidate = path.join(dir, PROJECT_CONFIG_FILE)
      if (yield* fs.exists(candidate).pipe(Effect.orElseSucceed(() => false))) return candidate
      const parent = path.dirname(dir)
      if (parent === dir) return yield* new ConfigNotFound({ searchedFrom: path.resolve(from) })
      dir = parent
    }
  })

export interface LoadedProject {
  readonly file: string
  /** Directory holding vm.yaml: Vagrant runs here and it is synced to the workspace. */
  readonly root: string
  readonly config: ProjectConfig
}

export const loadProjectConfig = (file: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const absolute = path.resolve(file)
    const text = yield* readIfExists(fs, absolute)
    if (Option.isNone(text)) return yield* new ConfigInvalid({ file: absolute, key: "", reason: "file does not exist" })
    const config = yield* decodeProjectConfig(text.value, absolute)
    return { file: absolute, root: path.dirname(absolute), config } satisfies LoadedProject
  })

export interface LoadedGlobal {
  readonly file: Option.Option<string>
  readonly config: GlobalConfig
}

/** ~/.vm/config.yaml, else ~/.config/vm/global.yaml, else defaults. */
export const loadGlobalConfig = (home: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    for (const file of [path.join(home, ".vm", "config.yaml"), path.join(home, ".config", "vm", "global.yaml")]) {
      const text = yield* readIfExists(fs, file)
      if (Option.isSome(text)) {
        const config = yield* decodeGlobalConfig(text.value, file)
        return { file: Option.some(file), config } satisfies LoadedGlobal
      }
    }
    return { file: Option.none(), config: emptyGlobalConfig } satisfies LoadedGlobal
  })

