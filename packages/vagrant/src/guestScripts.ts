import { Effect } from "effect"
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"

/**
 * Shell scripts `vm` sends to guests live as real files in packages/vagrant/src/guest/ (readable,
 * testable with a local `sh`). From the sources this module finds them at ./guest/; the CLI bundle
 * (packages/cli/dist/vm.mjs) finds the copy scripts/build-cli.mjs puts in dist/guest/, and falls
 * back to the sources of the checkout it was built in.
 */
const candidates = (name: string): ReadonlyArray<URL> => [
  new URL(`./guest/${name}`, import.meta.url),
  new URL(`../../vagrant/src/guest/${name}`, import.meta.url)
]

const loaded = new Map<string, string>()

/** The text of a guest script; a missing file is a broken installation (a defect naming the paths). */
export const guestScript = (name: string): Effect.Effect<string> =>
  Effect.suspend(() => {
    const cached = loaded.get(name)
    if (cached !== undefined) return Effect.succeed(cached)
    for (const url of candidates(name)) {
      try {
        const text = Fs.readFileSync(url, "utf8")
        loaded.set(name, text)
        return Effect.succeed(text)
      } catch {
        // try the next location
      }
    }
    return Effect.dieMessage(`guest script ${name} not found (looked in ${candidates(name).map((u) => fileURLToPath(u)).join(", ")})`)
  })
