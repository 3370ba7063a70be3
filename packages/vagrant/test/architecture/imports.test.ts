import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"

const PACKAGES = Path.resolve(import.meta.dirname, "../../..")

/** Every source file of every package (tests excluded), as absolute paths. */
const sourceFiles = (): ReadonlyArray<string> =>
  Fs.readdirSync(PACKAGES).flatMap((pkg) => {
    const src = Path.join(PACKAGES, pkg, "src")
    if (!Fs.existsSync(src)) return []
    return (Fs.readdirSync(src, { recursive: true }) as Array<string>)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => Path.join(src, f))
  })

const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+"([^"]+)"/gm

/** The files a source file imports (type-only imports included: a cycle of types is still a tangle). */
const importsOf = (file: string): ReadonlyArray<string> => {
  const text = Fs.readFileSync(file, "utf8")
  return [...text.matchAll(IMPORT)].flatMap((m) => {
    const spec = m[1]!
    const target = spec.startsWith(".")
      ? Path.resolve(Path.dirname(file), spec)
      : spec.startsWith("@vm/")
      ? Path.join(PACKAGES, spec.slice(4).split("/")[0]!, "src", spec.split("/").slice(2).join("/") || "index")
      : undefined
    return target === undefined ? [] : [target.replace(/\.js$/, "") + ".ts"]
  }).filter((f) => Fs.existsSync(f))
}

/** The first import cycle found by depth-first search, as a path of files, or undefined. */
export const findCycle = (graph: ReadonlyMap<string, ReadonlyArray<string>>): ReadonlyArray<string> | undefined => {
  const state = new Map<string, "open" | "done">()
  const stack: Array<string> = []
  const visit = (node: string): ReadonlyArray<string> | undefined => {
    if (state.get(node) === "done") return undefined
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node]
    state.set(node, "open")
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(node, "done")
    return undefined
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return undefined
}

describe("architecture", () => {
  it("the cycle finder finds a cycle and accepts a tree", () => {
    expect(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual(["a", "b", "c", "a"])
    expect(findCycle(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]))).toBeUndefined()
  })

  it("no import cycle in any package's sources", () => {
    const files = sourceFiles()
    expect(files.length).toBeGreaterThan(50)
    const graph = new Map(files.map((f) => [f, importsOf(f)]))
    const cycle = findCycle(graph)
    expect(cycle?.map((f) => Path.relative(PACKAGES, f))).toBeUndefined()
  })

  it("no code outside providers/ branches on a provider's name", () => {
    const src = Path.join(PACKAGES, "vagrant", "src")
    const offenders = sourceFiles()
      .filter((f) => f.startsWith(src + Path.sep) && !f.startsWith(Path.join(src, "providers") + Path.sep) && !f.includes(`${Path.sep}testing${Path.sep}`))
      .flatMap((f) =>
        Fs.readFileSync(f, "utf8").split("\n").flatMap((line, i) =>
          /provider\s*[!=]==\s*"|case "(docker|virtualbox|vmware_desktop|hyperv|libvirt|parallels)"/.test(line)
            ? [`${Path.relative(src, f)}:${i + 1}: ${line.trim()}`]
            : []
        )
      )
    expect(offenders).toEqual([])
  })
})
