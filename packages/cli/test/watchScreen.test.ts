import { describe, expect, it } from "vitest"
import { ndjsonLine, redraw, SCREEN_END, SCREEN_START, watchFrame, watchHeader } from "../src/watchScreen.js"

describe("redraw", () => {
  it("cursor home, each line erased to its end, the rest of the screen cleared", () => {
    expect(redraw("a\nbb", 24)).toBe("\x1b[Ha\x1b[K\nbb\x1b[K\x1b[J")
  })

  it("never more lines than the terminal has rows (a taller frame would scroll and not be overwritten)", () => {
    const frame = ["1", "2", "3", "4"].join("\n")
    expect(redraw(frame, 2)).toBe("\x1b[H1\x1b[K\n2\x1b[K\x1b[J")
    // rows unknown (0 or undefined, e.g. a pty without a size): everything
    expect(redraw(frame, 0)).toBe("\x1b[H1\x1b[K\n2\x1b[K\n3\x1b[K\n4\x1b[K\x1b[J")
    expect(redraw(frame, undefined)).toBe(redraw(frame, 0))
  })

  it("start hides the cursor and line wrapping; the end restores both", () => {
    expect(SCREEN_START).toContain("\x1b[?25l")
    expect(SCREEN_START).toContain("\x1b[?7l")
    expect(SCREEN_END).toContain("\x1b[?25h")
    expect(SCREEN_END).toContain("\x1b[?7h")
    expect(SCREEN_END.endsWith("\n")).toBe(true)
  })
})

describe("watch frame", () => {
  const at = new Date(2026, 10, 26, 18, 11, 2, 962)

  it("a header with the interval, the local time and how to stop, then the body", () => {
    expect(watchHeader(2000, at)).toBe("every 2 s · 18:11:02 · Ctrl-C to quit")
    expect(watchHeader(500, at)).toBe("every 0.5 s · 18:11:02 · Ctrl-C to quit")
    expect(watchFrame(1500, at, "body", (t) => `<${t}>`)).toBe("<every 1.5 s · 18:11:02 · Ctrl-C to quit>\n\nbody")
  })

  it("an NDJSON line: one JSON object, the timestamp first, then the report unchanged", () => {
    const line = ndjsonLine({ name: "dev", state: "running", errors: ["a\nb"] }, at)
    expect(line).not.toContain("\n")
    expect(JSON.parse(line)).toEqual({ timestamp: at.toISOString(), name: "dev", state: "running", errors: ["a\nb"] })
    expect(Object.keys(JSON.parse(line))[0]).toBe("timestamp")
  })
})
