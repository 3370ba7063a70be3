import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { MAX_INTERVAL_S, MIN_INTERVAL_S, parseInterval } from "../src/watchInterval.js"

const ms = (text: string) => Either.getOrThrow(parseInterval(text))
const reason = (text: string) => Either.flip(parseInterval(text)).pipe(Either.getOrThrow)

describe("parseInterval", () => {
  it("seconds as a plain number, or with ms / s / m", () => {
    expect(["2", "0.5", ".5", "1.", "2s", "2 s", "500ms", "500MS", "1m", " 3 "].map(ms)).toEqual([
      2000,
      500,
      500,
      1000,
      2000,
      2000,
      500,
      500,
      60_000,
      3000
    ])
  })

  it("the bounds themselves are allowed", () => {
    expect(ms(String(MIN_INTERVAL_S))).toBe(MIN_INTERVAL_S * 1000)
    expect(ms(String(MAX_INTERVAL_S))).toBe(MAX_INTERVAL_S * 1000)
  })

  it("zero, too short, too long: out of range, naming the bound", () => {
    expect(reason("0")).toBe(`'0' is too short: at least ${MIN_INTERVAL_S} seconds`)
    expect(reason("0.49")).toContain("too short")
    expect(reason("499ms")).toContain("too short")
    expect(reason("86401")).toBe(`'86401' is too long: at most ${MAX_INTERVAL_S} seconds (a day)`)
    expect(reason("1441m")).toContain("too long")
  })

  it("anything but a non-negative number: not a number of seconds", () => {
    for (const text of ["", " ", "-1", "abc", "2h", "1e3", "Infinity", "NaN", "0x10", "2,5", "1 2"]) {
      expect(reason(text), text).toMatch(/is not a number of seconds \(e\.g\. 2, 0\.5 or 500ms\)$/)
    }
  })

  it("control characters in the value are shown escaped, never sent to the terminal", () => {
    expect(reason("\x1b[2J")).toBe(`'\\x1b[2J' is not a number of seconds (e.g. 2, 0.5 or 500ms)`)
  })
})
