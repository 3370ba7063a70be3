import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"

// A published package reaches another only through that package's "exports" entry points: inside this
// repository tsconfig "paths" would resolve any @vm/* module, but a consumer's node would not.
const PACKAGES = Path.resolve(import.meta.dirname, "../../..")
const LIBRARIES = ["core", "vagrant"] as const

const exportedSpecifiers = (pkg: string): ReadonlyArray<string> => {
  const manifest = JSON.parse(Fs.readFileSync(Path.join(PACKAGES, pkg, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> }
  return Object.keys(manifest.exports).map((key) => Path.posix.join(manifest.name, key))
}

const sourceFiles = (pkg: string): ReadonlyArray<string> => {
  const src = Path.join(PACKAGES, pkg, "src")
  return (Fs.readdirSync(src, { recursive: true }) as Array<string>).filter((f) => f.endsWith(".ts")).map((f) => Path.join(src, f))
}

const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+"(@vm\/[^"]+)"/gm

describe("library packages import each other only through public entry points", () => {
  it("every @vm/* import in core and vagrant sources names an exported entry point of that package", () => {
    const allowed = new Set(LIBRARIES.flatMap(exportedSpecifiers))
    expect(allowed).toContain("@vm/core")
    const offenders = LIBRARIES.flatMap((pkg) =>
      sourceFiles(pkg).flatMap((file) =>
        [...Fs.readFileSync(file, "utf8").matchAll(IMPORT)].map((m) => m[1]!).filter((spec) => !allowed.has(spec)).map((spec) =>
          `${Path.relative(PACKAGES, file)}: ${spec}`
        )
      )
    )
    expect(offenders).toEqual([])
  })

  it("the exports map names built files only, each with types and import conditions", () => {
    for (const pkg of LIBRARIES) {
      const { exports } = JSON.parse(Fs.readFileSync(Path.join(PACKAGES, pkg, "package.json"), "utf8")) as {
        exports: Record<string, string | { types: string; import: string }>
      }
      for (const [key, target] of Object.entries(exports)) {
        if (key === "./package.json") continue
        expect(target, `${pkg} ${key}`).toEqual({ types: expect.stringMatching(/^\.\/dist\/.+\.d\.ts$/), import: expect.stringMatching(/^\.\/dist\/.+\.js$/) })
        expect(key, `${pkg}: no wildcard entry point`).not.toContain("*")
      }
    }
  })
})
