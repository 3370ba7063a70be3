import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"

// Every command pays for what the bundle evaluates before it runs. bin.ts's static imports must reach only
// the command tree (options, help), Effect's own modules and a few plain-data modules of core; a command's
// implementation loads through `lazily` (an import() the bundle initialises when the command runs).

const PACKAGES = Path.resolve(import.meta.dirname, "../..")
const BIN = Path.join(PACKAGES, "cli", "src", "bin.ts")

/** The core modules start-up may evaluate: a tag and plain data, no schemas, errors or config code. */
const STARTUP_CORE = ["config/home.ts", "config/providerNames.ts", "instanceName.ts", "printable.ts"]

const STATEMENT = /^\s*(import|export)\s([^;]*?)\sfrom\s+"([^"]+)"/gm

/** Where an import specifier lands among the packages' sources, or undefined for a dependency. */
const resolveSpec = (from: string, spec: string): string | undefined => {
  const target = spec.startsWith(".")
    ? Path.resolve(Path.dirname(from), spec)
    : spec.startsWith("@vm/")
    ? Path.join(PACKAGES, spec.slice(4).split("/")[0]!, "src", spec.split("/").slice(2).join("/") || "index")
    : undefined
  return target === undefined ? undefined : target.replace(/\.js$/, "") + ".ts"
}

/** Whether an import/export clause brings no value (the bundle drops it): `type …` or `{ type A, type B }`. */
export const typeOnly = (clause: string): boolean => {
  const text = clause.trim()
  if (text.startsWith("type ")) return true
  const braces = /^\{([^}]*)\}$/.exec(text)
  if (braces === null) return false
  const names = braces[1]!.split(",").map((n) => n.trim()).filter((n) => n !== "")
  return names.length > 0 && names.every((n) => n.startsWith("type "))
}

/** The sources a file imports for their values (no type-only imports, no dynamic import()). */
export const valueImports = (file: string, text = Fs.readFileSync(file, "utf8")): ReadonlyArray<{ spec: string; file?: string }> =>
  [...text.matchAll(STATEMENT)]
    .filter((m) => !typeOnly(m[2]!))
    .map((m) => {
      const resolved = resolveSpec(file, m[3]!)
      return resolved === undefined ? { spec: m[3]! } : { spec: m[3]!, file: resolved }
    })

/** Every source file bin.ts evaluates at start-up, following static value imports only. */
const startupGraph = (): ReadonlySet<string> => {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    expect(Fs.existsSync(file), `${file} (imported at start-up) exists`).toBe(true)
    seen.add(file)
    for (const imported of valueImports(file)) if (imported.file !== undefined) visit(imported.file)
  }
  visit(BIN)
  return seen
}

const sourceFiles = (): ReadonlyArray<string> =>
  Fs.readdirSync(PACKAGES).flatMap((pkg) => {
    const src = Path.join(PACKAGES, pkg, "src")
    return Fs.existsSync(src)
      ? (Fs.readdirSync(src, { recursive: true }) as Array<string>).filter((f) => f.endsWith(".ts")).map((f) => Path.join(src, f))
      : []
  })

describe("start-up: what vm evaluates before a command runs", () => {
  it("the import reader follows value imports and skips type-only ones and import()", () => {
    const text = [
      `import { Effect } from "effect/Effect"`,
      `import type { Layer } from "effect/Layer"`,
      `import { type A, type B } from "./types.js"`,
      `import { type C, d } from "./mixed.js"`,
      `import {\n  e,\n  f\n} from "@vm/core/errors"`,
      `export { g } from "./again.js"`,
      `export type { H } from "./typesAgain.js"`,
      `const lazy = () => import("./run/heavy.js")`
    ].join("\n")
    const file = Path.join(PACKAGES, "cli", "src", "x.ts")
    expect(valueImports(file, text).map((i) => i.file === undefined ? i.spec : Path.relative(PACKAGES, i.file))).toEqual([
      "effect/Effect",
      "cli/src/mixed.ts",
      "core/src/errors.ts",
      "cli/src/again.ts"
    ])
  })

  it("reaches only the command tree, a few plain-data core modules, and no Vagrant code", () => {
    const graph = [...startupGraph()].map((f) => Path.relative(PACKAGES, f))
    expect(graph).toContain("cli/src/Cli.ts")
    expect(graph).toContain("cli/src/commands/kill.ts")
    expect(graph.filter((f) => f.startsWith("vagrant/"))).toEqual([])
    for (const f of graph.filter((f) => f.startsWith("core/"))) expect(STARTUP_CORE).toContain(f.slice("core/src/".length))
    // the implementations are reached through import() only
    expect(graph.filter((f) => f.startsWith("cli/src/run/") || f === "cli/src/project.ts")).toEqual([])
  })

  it("every command's implementation module exists where its import() points", () => {
    const commands = Path.join(PACKAGES, "cli", "src", "commands")
    const targets = Fs.readdirSync(commands).flatMap((f) =>
      [...Fs.readFileSync(Path.join(commands, f), "utf8").matchAll(/import\("([^"]+)"\)/g)].map((m) => resolveSpec(Path.join(commands, f), m[1]!)!)
    )
    expect(targets.length).toBeGreaterThanOrEqual(6)
    for (const t of targets) expect(Fs.existsSync(t), t).toBe(true)
  })

  it("sources import Effect's modules, never a package barrel (in a lazily loaded module a barrel pulls in the whole package)", () => {
    const offenders = sourceFiles().flatMap((f) =>
      valueImports(f)
        .filter((i) => ["effect", "@effect/platform", "@effect/cli", "@effect/platform-node"].includes(i.spec))
        .map((i) => `${Path.relative(PACKAGES, f)}: "${i.spec}"`)
    )
    expect(offenders).toEqual([])
  })
})
