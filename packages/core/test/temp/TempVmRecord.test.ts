import { describe, expect, it } from "@effect/vitest"
import { diffMounts, sameMounts } from "../../src/temp/TempVmRecord.js"

const m = (source: string, target: string, readonly = false) => ({ source, target, readonly })

describe("mount sets", () => {
  it("sameMounts ignores order, not content", () => {
    expect(sameMounts([m("/a", "/x"), m("/b", "/y")], [m("/b", "/y"), m("/a", "/x")])).toBe(true)
    expect(sameMounts([m("/a", "/x")], [m("/a", "/x", true)])).toBe(false)
    expect(sameMounts([m("/a", "/x")], [])).toBe(false)
  })

  it("diffMounts: added, removed, and a changed mode is remove + add", () => {
    const from = [m("/a", "/x"), m("/b", "/y"), m("/c", "/z")]
    const to = [m("/a", "/x"), m("/b", "/y", true), m("/d", "/w")]
    expect(diffMounts(from, to)).toEqual({ remove: [m("/b", "/y"), m("/c", "/z")], add: [m("/b", "/y", true), m("/d", "/w")] })
  })
})
