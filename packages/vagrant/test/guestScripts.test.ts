import * as Fs from "node:fs"
import { describe, expect, it } from "vitest"
import { embeddedGuestScripts } from "../src/guest/embedded.js"
import { guestScript } from "../src/guestScripts.js"

// The compiled packages and the CLI bundle carry the guest scripts as text (src/guest/embedded.ts,
// written by scripts/embed-guest-scripts.mjs during `npm run build`); an edited .sh must never ship stale.
const guestDir = new URL("../src/guest/", import.meta.url)

describe("embedded guest scripts", () => {
  it("embedded.ts holds exactly the .sh files of src/guest, byte for byte (run `npm run build` when this fails)", () => {
    const files = Fs.readdirSync(guestDir).filter((name) => name.endsWith(".sh")).sort()
    expect(files).toContain("metrics.sh")
    expect(Object.keys(embeddedGuestScripts).sort()).toEqual(files)
    for (const name of files) {
      expect(embeddedGuestScripts[name as keyof typeof embeddedGuestScripts], name).toBe(
        Fs.readFileSync(new URL(name, guestDir), "utf8")
      )
    }
  })

  it("guestScript answers from the embedded text without reading files", () => {
    expect(guestScript("metrics.sh")).toBe(embeddedGuestScripts["metrics.sh"])
    expect(guestScript("metrics.sh")).toMatch(/^# vm guest metrics/)
  })
})
