import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { shellJoin, shellQuote } from "../src/shell.js"
import { prng, randomHostile, run, toolGate } from "./support/realTools.js"

describe("shellQuote", () => {
  it.each([
    ["plain", "plain"],
    ["a-b_c.d/e:f,g=h+i@j%k", "a-b_c.d/e:f,g=h+i@j%k"],
    ["-rf", "-rf"],
    ["", "''"],
    ["two words", "'two words'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ["$(id)", "'$(id)'"],
    ["~", "'~'"],
    ["*", "'*'"],
    ["a\nb", "'a\nb'"],
    ["é", "'é'"]
  ])("%j → %s", (input, quoted) => {
    expect(shellQuote(input)).toBe(quoted)
  })

  it("throws on NUL, which argv cannot carry", () => {
    expect(() => shellQuote("a\0b")).toThrow(/NUL/)
  })
})

describe("shellJoin", () => {
  it("joins quoted words with spaces", () => {
    expect(shellJoin([])).toBe("")
    expect(shellJoin(["echo", "a b", ""])).toBe("echo 'a b' ''")
  })

  it("quotes a first word that sh would read as a keyword or an assignment", () => {
    expect(shellJoin(["if", "x"])).toBe("'if' x")
    expect(shellJoin(["A=b", "c"])).toBe("'A=b' c")
    expect(shellJoin(["x", "if", "A=b"])).toBe("x if A=b")
    expect(shellJoin(["=x"])).toBe("=x")
  })
})

const sh = toolGate("sh")

describe.skipIf(sh.skip)("real sh round trips", () => {
  let dir = ""
  beforeAll(() => {
    sh.assertPresent()
    dir = mkdtempSync(join(tmpdir(), "vm-shell-test-"))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** argv as sh parses `printf '%s\0' <joined>`; NUL-separated so newlines survive. */
  const parsedBySh = async (argv: ReadonlyArray<string>): Promise<Array<string>> => {
    const result = await run("sh", ["-c", `printf '%s\\0' ${shellJoin(argv)}`], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    return result.stdout.split("\0").slice(0, -1)
  }

  const hostile = [
    "two words", "it's", "\"dq\"", "$(touch pwned)", "`touch pwned`", "; touch pwned", "a\nb", "*", "?", "[a]",
    "", "-n", "--", "-e", "~", "~root", "$HOME", "${HOME}", "\\", "\\n", "'\\''", "a|b", "a&b", ">x", "<x", "#c",
    "!", "{a,b}", "\t", " ", "é 日本 😀", "\r\n", "A=b", "%s%d"
  ]

  it("delivers hostile arguments verbatim", async () => {
    expect(await parsedBySh(hostile)).toEqual(hostile)
    expect(await parsedBySh(["only"])).toEqual(["only"])
  })

  it("delivers 300 random hostile argument lists verbatim (one sh, one printf per list)", async () => {
    const random = prng(99)
    const lists = Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomHostile(random, 5)))
    // each list is printed as: count NUL arg NUL arg NUL …
    const script = lists.map((argv) => `printf '%s\\0' ${argv.length} ${shellJoin(argv)}`).join("\n")
    const result = await run("sh", ["-c", script], { cwd: dir })
    expect(result.code, result.stderr).toBe(0)
    const fields = result.stdout.split("\0")
    const parsed: Array<Array<string>> = []
    for (let at = 0; parsed.length < lists.length;) {
      const count = Number(fields[at])
      parsed.push(fields.slice(at + 1, at + 1 + count))
      at += 1 + count
    }
    expect(parsed).toEqual(lists)
  })

  it("runs a first word that looks like a keyword or assignment as a command", async () => {
    const bin = join(dir, "bin")
    rmSync(bin, { recursive: true, force: true })
    mkdirSync(bin)
    for (const name of ["if", "A=b"]) {
      writeFileSync(join(bin, name), "#!/bin/sh\nprintf '%s|' \"$0\" \"$@\"\n")
      chmodSync(join(bin, name), 0o755)
    }
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` }
    const ran = await run("sh", ["-c", shellJoin(["if", "x y"])], { env })
    expect(ran.stdout).toBe(`${join(bin, "if")}|x y|`)
    const assigned = await run("sh", ["-c", shellJoin(["A=b", "z"])], { env })
    expect(assigned.stdout).toBe(`${join(bin, "A=b")}|z|`)
  })

  it("no hostile word ever executes anything", async () => {
    await parsedBySh(hostile)
    const check = await run("sh", ["-c", "test ! -e pwned"], { cwd: dir })
    expect(check.code).toBe(0)
  })
})
