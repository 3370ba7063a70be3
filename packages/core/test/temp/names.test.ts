import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { generateTempName, validateTempName } from "../../src/temp/names.js"

describe("generateTempName", () => {
  it("is adjective-noun-NN, a valid temp name, never hex-only, never hex in a word", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 500; i++) {
        const name = generateTempName([])
        expect(name).toMatch(/^[a-z]+-[a-z]+-[1-9][0-9]$/)
        expect(name).not.toMatch(/^[0-9a-f]+$/)
        for (const word of name.split("-").slice(0, 2)) expect(word).toMatch(/[g-z]/)
        expect(yield* validateTempName(name)).toBe(name)
      }
    }).pipe(Effect.runSync))

  it("skips taken names", () => {
    let calls = 0
    // the first draw repeats the taken name, the second differs
    const draws = [0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5]
    const random = () => draws[calls++]!
    const first = generateTempName([], () => 0)
    expect(generateTempName([first], random)).not.toBe(first)
  })
})

describe("validateTempName", () => {
  it.each(["a", "scratch", "brave-otter-42", "x1", "cafe", "a".repeat(40)])("accepts %s", (name) => {
    expect(Effect.runSync(validateTempName(name))).toBe(name)
  })
  it.each(["", "-a", "a-", "A", "a_b", "a b", "a/b", "a".repeat(41), "../x"])("refuses %j", (name) => {
    const e = Effect.runSync(Effect.flip(validateTempName(name)))
    expect(e._tag).toBe("InvalidInput")
    expect(e.message).toContain("temp VM name")
  })
})
