import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rubyString, rubySymbol, rubyValue } from "../src/ruby.js"
import { evalRubyData, evalRubyStrings, prng, randomHostile, toolGate } from "./support/realTools.js"

describe("rubyString", () => {
  it.each([
    ["", "''"],
    ["plain", "'plain'"],
    ["it's", "'it\\'s'"],
    ["back\\slash", "'back\\\\slash'"],
    ["ends with \\", "'ends with \\\\'"],
    ["\\'", "'\\\\\\''"],
    ["#{system(\"x\")}", "'#{system(\"x\")}'"],
    ["two\nlines", "'two\nlines'"],
    ["tab\there", "'tab\there'"],
    ["日本 😀", "'日本 😀'"]
  ])("%j → %s", (input, literal) => {
    expect(rubyString(input)).toBe(literal)
  })

  it("splices each CR in as the constant \"\\r\" (Ruby's lexer folds CR LF to LF inside literals)", () => {
    expect(rubyString("a\r\nb")).toBe(`'a' "\\r" '\nb'`)
    expect(rubyString("\r")).toBe(`"\\r"`)
    expect(rubyString("x\r")).toBe(`'x' "\\r"`)
    expect(rubyString("\r\r")).toBe(`"\\r"  "\\r"`)
  })

  it("never produces a double-quoted literal with user content", () => {
    for (const s of ["\"#{x}\"", "a\r#{`id`}\rb", "\\\r\\"]) {
      // outside single-quoted tokens only the fixed CR constant may appear
      expect(rubyString(s).replace(/'(?:[^'\\]|\\.)*'/g, "").replace(/"\\r"/g, "").trim()).toBe("")
    }
  })

  it("throws on NUL bytes and lone surrogates", () => {
    expect(() => rubyString("a\0b")).toThrow(/NUL/)
    expect(() => rubyString("\ud800")).toThrow(/surrogate/)
    expect(() => rubyString("x\udc00")).toThrow(/surrogate/)
    expect(rubyString("\ud83d\ude00")).toBe("'😀'")
  })
})

describe("rubySymbol", () => {
  it("accepts plain identifiers only", () => {
    expect(rubySymbol("forwarded_port")).toBe(":forwarded_port")
    expect(rubySymbol("_x1")).toBe(":_x1")
    for (const bad of ["", "1a", "a-b", "a b", "a'", "a\n", ":a", "a?"]) expect(() => rubySymbol(bad)).toThrow()
  })
})

describe("rubyValue", () => {
  it("renders scalars, arrays and string-keyed hashes", () => {
    expect(rubyValue(null)).toBe("nil")
    expect(rubyValue(true)).toBe("true")
    expect(rubyValue(false)).toBe("false")
    expect(rubyValue(42)).toBe("42")
    expect(rubyValue(-1.5)).toBe("-1.5")
    expect(rubyValue(-0)).toBe("0")
    expect(rubyValue([])).toBe("[]")
    expect(rubyValue({})).toBe("{}")
    expect(rubyValue(["a", 1, [true]])).toBe("['a', 1, [true]]")
    expect(rubyValue({ SSH_PORT: "2222", "it's": null })).toBe("{ 'SSH_PORT' => '2222', 'it\\'s' => nil }")
  })

  it("rejects numbers Ruby cannot spell", () => {
    for (const n of [NaN, Infinity, -Infinity]) expect(() => rubyValue(n)).toThrow()
  })
})

const ruby = toolGate("ruby")

describe.skipIf(ruby.skip)("real Ruby evaluation", () => {
  let dir = ""
  beforeAll(() => {
    ruby.assertPresent()
    dir = mkdtempSync(join(tmpdir(), "vm-ruby-test-"))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const named = [
    "", "'", "''", "\\", "\\\\", "ends with backslash\\", "\\'", "\\\\'", "'\\", "#{system(\"x\")}", "#{`id`}",
    "\"double\"", "two\nlines\n", "crlf\r\nline\r\n", "lone\rcr", "\r", "\r\r\n\n\r", "tab\tx", " spaced  out ",
    "unicode é 日本語 😀 \u2028 \ufeff", "%q{x}", "%Q(#{1})", "a\n__END__\nb", "__END__", "\n=begin\nx\n=end\n",
    "<<EOS\nEOS", "\u0004 eot \u001a sub \u001b[0m \u007f", "\\n not a newline", "'; system('x'); '"
  ]

  it("round-trips hand-picked hostile strings byte for byte", async () => {
    const values = await evalRubyStrings(dir, named.map(rubyString))
    expect(values).toHaveLength(named.length)
    named.forEach((s, i) => expect(values[i]!.equals(Buffer.from(s, "utf8")), JSON.stringify(s)).toBe(true))
  })

  it("round-trips 600 random hostile strings byte for byte", async () => {
    const random = prng(20240611)
    const strings = Array.from({ length: 600 }, () => randomHostile(random, 10))
    const values = await evalRubyStrings(dir, strings.map(rubyString))
    strings.forEach((s, i) => expect(values[i]!.equals(Buffer.from(s, "utf8")), JSON.stringify(s)).toBe(true))
  })

  it("round-trips nested data through rubyValue", async () => {
    const random = prng(7)
    const data = [
      null, true, false, 0, 7, -12, 1.5, 1e21, 5e-7, "", "x'y\\", [], {}, [1, ["a", [null]]],
      { "#{k}": "v\r\n", "it's": [1, { "\\": false }] },
      Object.fromEntries(Array.from({ length: 30 }, () => [randomHostile(random, 3), randomHostile(random, 4)]))
    ]
    expect(await evalRubyData(dir, data.map(rubyValue))).toEqual(data)
  })
})
