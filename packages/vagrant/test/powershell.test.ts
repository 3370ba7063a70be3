import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { powershellArgs, turnOffScript, vmStateScript } from "../src/hypervisors/HyperV.js"
import { powershellString, validGuid } from "../src/powershell.js"

const QUOTES = "'\u2018\u2019\u201a\u201b"

/**
 * PowerShell's reading of a single-quoted literal (about_Quoting_Rules, tokenizer ScanStringLiteral):
 * no expansion at all; any of the five quote characters ends it unless the next character is one
 * of them too, which yields one literal quote. Returns the value and what follows the literal.
 */
const readSingleQuoted = (text: string): { value: string; rest: string } => {
  if (!QUOTES.includes(text[0]!)) throw new Error("not a single-quoted literal")
  let value = ""
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!
    if (QUOTES.includes(c)) {
      if (i + 1 < text.length && QUOTES.includes(text[i + 1]!)) {
        value += c
        i++
        continue
      }
      return { value, rest: text.slice(i + 1) }
    }
    value += c
  }
  throw new Error("unterminated literal")
}

describe("powershellString", () => {
  it.each([
    ["plain", "'plain'"],
    ["", "''"],
    ["it's", "'it''s'"],
    ["a\u2019b", "'a\u2019\u2019b'"],
    ["\u2018x\u201a\u201b", "'\u2018\u2018x\u201a\u201a\u201b\u201b'"],
    ["$(Stop-Computer)", "'$(Stop-Computer)'"],
    ["$env:PATH `n \"q\"", "'$env:PATH `n \"q\"'"],
    ["a\nb", "'a\nb'"]
  ])("%j → %s", (input, quoted) => {
    expect(powershellString(input)).toBe(quoted)
  })

  it("round-trips hostile strings as exactly one literal, with nothing after it", () => {
    const alphabet = [..."ab $`\"';|&(){}@#\n\r\t\\", ...QUOTES]
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let n = 0; n < 2000; n++) {
      const value = Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join("")
      const quoted = powershellString(value)
      let read
      try {
        read = readSingleQuoted(quoted)
      } catch (e) {
        throw new Error(`${JSON.stringify(value)} → ${JSON.stringify(quoted)}: ${String(e)}`)
      }
      expect(read).toEqual({ value, rest: "" })
    }
  })

  it("refuses NUL, which a command line cannot carry", () => {
    expect(() => powershellString("a\0b")).toThrow(/NUL/)
  })
})

describe("validGuid", () => {
  it.effect("accepts a GUID (lower-cased) and refuses anything else", () =>
    Effect.gen(function*() {
      expect(yield* validGuid("id", "0C9A7F3E-1B2D-4E5F-9A8B-7C6D5E4F3A2B")).toBe("0c9a7f3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b")
      for (const bad of ["", "dev", "0c9a7f3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b'; Stop-Computer; '", "{0c9a7f3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b}"]) {
        const result = yield* Effect.either(validGuid("Hyper-V VM id", bad))
        expect(Either.isLeft(result), bad).toBe(true)
      }
    }))
})

describe("Hyper-V scripts", () => {
  const guid = "0c9a7f3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b"
  it("turns the VM off by id with -TurnOff (a power cut, not a guest shutdown), module-qualified", () => {
    expect(turnOffScript(guid)).toBe(
      `$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; Hyper-V\\Get-VM -Id '${guid}' | Hyper-V\\Stop-VM -TurnOff -Force`
    )
    expect(vmStateScript(guid)).toContain(`(Hyper-V\\Get-VM -Id '${guid}').State.ToString()`)
  })

  it("runs without profile or prompts", () => {
    expect(powershellArgs("x")).toEqual(["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", "x"])
  })
})
