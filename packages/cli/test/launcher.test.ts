import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"

// bin/vm.cjs compiles the CommonJS bundle with a V8 code cache kept beside it. Here it runs in a copy of
// the package layout (cli/bin, cli/dist) with a small bundle of our own, so each case sets up the cache.
const LAUNCHER = fileURLToPath(new URL("../bin/vm.cjs", import.meta.url))
const BUNDLE = `"use strict";\nconst greet = (who) => "hello " + who;\nconsole.log(greet(process.argv.slice(2).join(" ")) + " from " + __filename);\n`

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) Fs.rmSync(d, { recursive: true, force: true })
})

const layout = (bundle = BUNDLE) => {
  const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-launcher-"))
  dirs.push(root)
  Fs.mkdirSync(Path.join(root, "cli", "bin"), { recursive: true })
  Fs.mkdirSync(Path.join(root, "cli", "dist"))
  Fs.copyFileSync(LAUNCHER, Path.join(root, "cli", "bin", "vm.cjs"))
  const file = Path.join(root, "cli", "dist", "vm.cjs")
  Fs.writeFileSync(file, bundle)
  const run = (...args: Array<string>) => {
    const r = spawnSync(process.execPath, [Path.join(root, "cli", "bin", "vm.cjs"), ...args], {
      encoding: "utf8",
      env: { ...process.env, VM_DEBUG_START: "1", VM_DEV: "" }
    })
    expect(r.status, r.stderr).toBe(0)
    return { stdout: r.stdout, cache: /vm: code cache (\w+)/.exec(r.stderr)?.[1] }
  }
  return { file, cacheFile: `${file}.v8cache`, run }
}

describe("bin/vm.cjs: the bundle's code cache", () => {
  it("is written by the first run, stamped with Node, arch, bundle size and mtime, and used by the next", () => {
    const l = layout()
    const first = l.run("a", "b")
    expect(first).toEqual({ stdout: `hello a b from ${l.file}\n`, cache: "missing" })
    const { size, mtimeMs } = Fs.statSync(l.file)
    const raw = Fs.readFileSync(l.cacheFile)
    expect(raw.subarray(0, raw.indexOf(10)).toString()).toBe(`vm-code-cache 1 ${process.version} ${process.arch} ${size} ${mtimeMs}`)
    expect(raw.length).toBeGreaterThan(raw.indexOf(10) + 1)
    expect(l.run("c")).toEqual({ stdout: `hello c from ${l.file}\n`, cache: "used" })
    expect(Fs.readdirSync(Path.dirname(l.file)).sort()).toEqual(["vm.cjs", "vm.cjs.v8cache"])
  })

  it("a rebuilt bundle of the same size never runs with the old bundle's cache", () => {
    const l = layout()
    l.run()
    const before = Fs.statSync(l.file).mtimeMs
    // same length, other code: V8's own check compares lengths only, so the stamp has to catch it
    Fs.writeFileSync(l.file, BUNDLE.replace("hello ", "howdy "))
    Fs.utimesSync(l.file, new Date(), new Date(before + 5000))
    expect(l.run("x")).toEqual({ stdout: `howdy x from ${l.file}\n`, cache: "stale" })
    expect(l.run("y")).toEqual({ stdout: `howdy y from ${l.file}\n`, cache: "used" })
  })

  it("a cache from another Node version is not used; a damaged one is rejected by V8; both are rewritten", () => {
    const l = layout()
    l.run()
    const raw = Fs.readFileSync(l.cacheFile)
    const nl = raw.indexOf(10)
    Fs.writeFileSync(l.cacheFile, Buffer.concat([Buffer.from(raw.subarray(0, nl).toString().replace(process.version, "v18.0.0")), raw.subarray(nl)]))
    expect(l.run("1").cache).toBe("stale")
    expect(l.run("2").cache).toBe("used")
    const good = Fs.readFileSync(l.cacheFile)
    const damaged = Buffer.from(good)
    for (let i = good.indexOf(10) + 1; i < damaged.length; i += 7) damaged[i] = damaged[i]! ^ 0xff
    Fs.writeFileSync(l.cacheFile, damaged)
    expect(l.run("3")).toEqual({ stdout: `hello 3 from ${l.file}\n`, cache: "rejected" })
    expect(l.run("4").cache).toBe("used")
  })

  it("an empty or truncated cache file is ignored", () => {
    const l = layout()
    Fs.writeFileSync(l.cacheFile, "")
    expect(l.run().cache).toBe("stale")
    expect(l.run().cache).toBe("used")
  })
})
