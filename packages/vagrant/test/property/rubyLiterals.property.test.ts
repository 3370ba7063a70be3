/**
 * Property: every Ruby literal `rubyString` / `rubyValue` renders is read back by the real Ruby
 * interpreter (loaded like a Vagrantfile, LANG=C) as exactly the value it was rendered from.
 * One Ruby process per property evaluates the whole batch.
 */
import { FastCheck as fc } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { rubyString, rubyValue, type RubyValue } from "../../src/ruby.js"
import { evalRubyData, evalRubyStrings, toolGate } from "../support/realTools.js"
import { firstFailure, hostileString, LONE_SURROGATE, unencodableString } from "./arbitraries.js"

const N = 300

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 1e-7, 5e-7, 0.1, -1.5, 2 ** 53, 2 ** 53 + 2, 1.7976931348623157e308, 5e-324, -5e-324, 123456789012345680000)
)

const { value: rubyData } = fc.letrec<{ value: RubyValue; array: ReadonlyArray<RubyValue>; record: Record<string, RubyValue> }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    hostileString(4),
    number,
    fc.boolean(),
    fc.constant(null),
    tie("array"),
    tie("record")
  ),
  array: fc.array(tie("value"), { maxLength: 5 }),
  record: fc.dictionary(hostileString(3), tie("value"), { maxKeys: 5, noNullPrototype: true })
}))

/** What Ruby gives back: the same data, with -0 read as the Integer 0. */
const expected = (v: RubyValue): unknown =>
  typeof v === "number"
    ? Object.is(v, -0) ? 0 : v
    : Array.isArray(v)
    ? (v as ReadonlyArray<RubyValue>).map(expected)
    : v !== null && typeof v === "object"
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expected(x)]))
    : v

const ruby = toolGate("ruby")

describe.skipIf(ruby.skip)("property: Ruby literals round-trip through real Ruby", () => {
  let dir = ""
  beforeAll(() => {
    ruby.assertPresent()
    dir = mkdtempSync(join(tmpdir(), "vm-ruby-property-"))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it(`rubyString: ${N} arbitrary strings (full Unicode, control chars, quotes, \\, #{}, CR/LF) come back byte for byte`, async () => {
    const strings = fc.sample(hostileString(10), { seed: 0x5eed_0001, numRuns: N })
    const values = await evalRubyStrings(dir, strings.map(rubyString))
    expect(values).toHaveLength(N)
    expect(firstFailure(strings, (s, i) => values[i]!.equals(Buffer.from(s, "utf8")))).toBeUndefined()
  })

  it(`rubyValue: ${N} nested values (arrays, string-keyed hashes, numbers, booleans, nil) come back equal`, async () => {
    const data = fc.sample(rubyData, { seed: 0x5eed_0002, numRuns: N })
    const values = await evalRubyData(dir, data.map(rubyValue))
    expect(values).toHaveLength(N)
    const want = data.map(expected)
    const bad = want.findIndex((w, i) => {
      try {
        expect(values[i]).toEqual(w)
        return false
      } catch {
        return true
      }
    })
    expect(bad < 0 ? undefined : `case #${bad}: ${JSON.stringify(data[bad])} read back as ${JSON.stringify(values[bad])}`).toBeUndefined()
  })

  it(`strings with NUL or a lone surrogate: ${N} cases, each a thrown Error (never a silently changed literal)`, async () => {
    const strings = fc.sample(unencodableString, { seed: 0x5eed_0003, numRuns: N })
    const rendered: Array<{ readonly input: string; readonly literal: string }> = []
    for (const s of strings) {
      let literal: string
      try {
        literal = rubyString(s)
      } catch (e) {
        expect(e).toBeInstanceOf(Error)
        expect((e as Error).message).toMatch(s.includes("\0") ? /NUL/ : /surrogate/)
        // inside data (a hash key or a nested value) the same string is refused too
        expect(() => rubyValue({ k: [s] })).toThrow(Error)
        expect(() => rubyValue({ [s]: 1 })).toThrow(Error)
        continue
      }
      rendered.push({ input: s, literal })
    }
    // whatever was not refused must round-trip exactly (a lone surrogate cannot: UTF-8 has no spelling for it)
    expect(rendered.filter((r) => LONE_SURROGATE.test(r.input))).toEqual([])
    if (rendered.length > 0) {
      const values = await evalRubyStrings(dir, rendered.map((r) => r.literal))
      expect(firstFailure(rendered, (r, i) => values[i]!.equals(Buffer.from(r.input, "utf8")))).toBeUndefined()
    }
  })

  it("numbers Ruby cannot spell (NaN, ±Infinity) are a thrown Error wherever they appear", () => {
    fc.assert(
      fc.property(rubyData, fc.constantFrom(NaN, Infinity, -Infinity), (data, bad) => {
        expect(() => rubyValue([data, { x: bad }])).toThrow(Error)
      }),
      { seed: 0x5eed_0004, numRuns: 100 }
    )
  })
})
