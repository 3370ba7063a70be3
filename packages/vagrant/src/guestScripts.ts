import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"

/**
 * Shell scripts `vm` sends to guests live as real files in packages/vagrant/src/guest/ (readable,
 * testable with a local `sh`). From the sources this module finds them at ./guest/; the CLI bundle
 * (packages/cli/dist/vm.cjs) finds the copy scripts/build-cli.mjs puts in dist/guest/, and falls
 * back to the sources of the checkout it was built in.
 */
const candidates = (name: string): ReadonlyArray<URL> => [
  new URL(`./guest/${name}`, import.meta.url),
  new URL(`../../vagrant/src/guest/${name}`, import.meta.url)
]

const loaded = new Map<string, string>()

/** The text of a guest script; a missing file is a broken installation (a defect naming the paths). */
export const guestScript = (name: string): Effect.Effect<string, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const cached = loaded.get(name)
    if (cached !== undefined) return cached
    const fs = yield* FileSystem.FileSystem
    for (const url of candidates(name)) {
      const text = yield* fs.readFileString(fileURLToPath(url)).pipe(Effect.option)
      if (text._tag === "Some") {
        loaded.set(name, text.value)
        return text.value
      }
    }
    return yield* Effect.dieMessage(`guest script ${name} not found (looked in ${candidates(name).map((u) => fileURLToPath(u)).join(", ")})`)
  })
