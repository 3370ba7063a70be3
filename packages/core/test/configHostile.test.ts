import { NodeContext } from "@effect/platform-node"
import { Effect, Either } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { configText, decodeGlobalConfig, decodeProjectConfig, MAX_ALIASES, MAX_CONFIG_BYTES } from "../src/config/decode.js"
import { loadProjectConfig } from "../src/config/load.js"

const FILE = "/p/vm.yaml"
const errorOf = (text: string) => {
  const result = decodeProjectConfig(text, FILE)
  if (Either.isRight(result)) throw new Error("expected a ConfigInvalid")
  return result.left
}

describe("config files that are not plain data", () => {
  it("an undefined alias is one line naming the file, not a crash", () => {
    const e = errorOf("project: *nope\n")
    expect(e._tag).toBe("ConfigInvalid")
    expect(e.message).toContain(FILE)
    expect(e.message).toContain("nope")
    expect(e.message.split("\n")).toHaveLength(1)
  })

  it("an alias bomb is refused quickly, naming the limit", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`)
    const started = Date.now()
    const e = errorOf(`${levels.join("\n")}\nproject: {name: x}\n`)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(e.message).toContain(`${MAX_ALIASES} YAML aliases`)
  })

  it.each([
    ["a scalar", "just a string\n", "not a single value"],
    ["a number", "42\n", "not a single value"],
    ["a list", "- project\n- name\n", "not a list"]
  ])("a file that is %s says it must be a mapping", (_, text, what) => {
    expect(errorOf(text).message).toContain(`must be a mapping of keys (like 'project:'), ${what}`)
  })

  it("a duplicate key is named with its path", () => {
    const e = errorOf("project: {name: a}\nenvironment:\n  A: 1\n  B: 2\n  A: 3\n")
    expect(e.key).toBe("environment.A")
    expect(e.message).toContain("appears twice")
  })

  it("an environment name that is not a variable name says so", () => {
    const e = errorOf("project: {name: a}\nenvironment: {A-B: 1}\n")
    expect(e.message).toContain("A-B")
    expect(e.message).toContain("not a valid variable name")
  })

  it("tens of thousands of keys are decoded (or refused by the size limit) in well under a second", () => {
    for (const n of [20_000, 60_000]) {
      const text = "project: {name: a}\nenvironment:\n" + Array.from({ length: n }, (_, i) => `  K${i}: v`).join("\n") + "\n"
      const started = Date.now()
      const result = decodeProjectConfig(text, FILE)
      expect(Date.now() - started).toBeLessThan(1000)
      if (text.length > MAX_CONFIG_BYTES) {
        expect(Either.isLeft(result) && result.left.message).toContain("larger than 128 KiB")
      } else {
        expect(Either.isRight(result)).toBe(true)
      }
    }
  })

  it("the global config gets the same treatment", () => {
    const result = decodeGlobalConfig("- a\n", "/h/.vm/config.yaml")
    expect(Either.isLeft(result) && result.left.message).toContain("/h/.vm/config.yaml")
  })
})

describe("config file encodings", () => {
  const bytes = (...values: ReadonlyArray<number>) => new Uint8Array(values)
  const utf8 = (s: string) => new TextEncoder().encode(s)

  it("UTF-8, with or without a BOM", () => {
    expect(configText(utf8("project: {name: café}\n"), FILE)).toEqual(Either.right("project: {name: café}\n"))
    expect(configText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("a: 1\n")]), FILE)).toEqual(Either.right("a: 1\n"))
  })

  it("UTF-16 (either byte order) is refused, saying how to fix it", () => {
    for (const bom of [[0xff, 0xfe], [0xfe, 0xff]]) {
      const result = configText(bytes(...bom, 0x70, 0x00), FILE)
      expect(Either.isLeft(result) && result.left.message).toContain("UTF-16")
    }
  })

  it("Latin-1 (invalid UTF-8) is refused with the byte and line, never mangled into replacement characters", () => {
    const result = configText(new Uint8Array([...utf8("project:\n  name: caf"), 0xe9, 0x0a]), FILE)
    expect(Either.isLeft(result) && result.left.message).toMatch(/not valid UTF-8 text \(byte 21, line 2\)/)
  })

  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-config-enc-"))
  afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))
  it("loading a non-UTF-8 vm.yaml from disk fails with that error, exit-1 style, not a defect", async () => {
    const file = Path.join(dir, "vm.yaml")
    Fs.writeFileSync(file, Buffer.from([...utf8("project:\n  name: caf"), 0xe9, 0x0a]))
    const exit = await Effect.runPromiseExit(loadProjectConfig(file).pipe(Effect.provide(NodeContext.layer)))
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toContain("not valid UTF-8")
  })
})
