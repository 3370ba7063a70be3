import { InvalidInput, VmNotFound } from "@vm/core/errors"
import { Effect, Ref, TestClock } from "effect"
import { it } from "@effect/vitest"
import { describe, expect } from "vitest"
import { neverFailing, reportBoundMs, uncollectedReport } from "../src/run/statusReport.js"
import { mergeNames, rememberingNames } from "../src/run/statusView.js"

describe("mergeNames", () => {
  it("names seen before keep their place, new ones go last, none twice", () => {
    expect(mergeNames([], ["dev", "web"])).toEqual(["dev", "web"])
    expect(mergeNames(["dev", "web"], ["web", "db"])).toEqual(["dev", "web", "db"])
    expect(mergeNames(["dev", "web"], [])).toEqual(["dev", "web"])
  })
})

describe("rememberingNames", () => {
  it.effect("a machine gone from the listing stays; a failing listing after the first frame means the names seen", () =>
    Effect.gen(function*() {
      const listing = yield* Ref.make<ReadonlyArray<string> | "broken">(["dev", "web"])
      const names = Effect.flatMap(Ref.get(listing), (l) => (l === "broken" ? Effect.fail("state unreadable") : Effect.succeed(l)))
      const frame = yield* rememberingNames(names)
      expect(yield* frame).toEqual(["dev", "web"])
      yield* Ref.set(listing, ["dev", "db"])
      expect(yield* frame).toEqual(["dev", "web", "db"])
      yield* Ref.set(listing, "broken")
      expect(yield* frame).toEqual(["dev", "web", "db"])
    }))

  it.effect("a listing failing before anything was seen fails (one clear error instead of an empty table)", () =>
    Effect.gen(function*() {
      const frame = yield* rememberingNames(Effect.fail("state unreadable"))
      expect(yield* Effect.flip(frame)).toBe("state unreadable")
    }))
})

describe("neverFailing", () => {
  const subject = { name: "web", provider: "docker" }
  const fallback = (state: "missing" | "unknown", reason: string) => ({ state, reason })

  it.effect("a machine no longer in the project is missing, any other failure unknown, each with its message", () =>
    Effect.gen(function*() {
      const gone = yield* neverFailing(Effect.fail(new VmNotFound({ name: "web", known: ["dev"] })), 1000, fallback)
      expect(gone).toEqual({ state: "missing", reason: new VmNotFound({ name: "web", known: ["dev"] }).message })
      const broken = yield* neverFailing(Effect.fail(new InvalidInput({ what: "state", reason: "corrupt" })), 1000, fallback)
      expect(broken).toEqual({ state: "unknown", reason: "state: corrupt" })
      expect(yield* neverFailing(Effect.succeed({ state: "unknown" as const, reason: "ok" }), 1000, fallback)).toEqual({
        state: "unknown",
        reason: "ok"
      })
    }))

  it.effect("a report that never answers is cut at the bound and reported unknown", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(neverFailing(Effect.never, 25_000, fallback))
      yield* TestClock.adjust("25 seconds")
      expect(yield* fiber.await.pipe(Effect.flatten)).toEqual({ state: "unknown", reason: "no status within 25 s" })
    }))

  it("the bound covers every step the reporter bounds itself, plus slack", () => {
    // defaults: 10 s per host-side query (state, ssh-config), 10 s for the ssh round trip
    expect(reportBoundMs({ global: { timeouts: {} } as never })).toBe(35_000)
    expect(reportBoundMs({ global: { timeouts: { status: 2, ssh: 3 } } as never })).toBe(12_000)
  })

  it("the uncollected report has the shape of `vm status --json`, nothing measured, the reason as its error", () => {
    const at = new Date("2026-11-26T18:11:02.962Z")
    expect(uncollectedReport(subject, "missing", "no machine named 'web' (known: dev)", at)).toEqual({
      name: "web",
      machine: "web",
      provider: "docker",
      machineId: null,
      id: null,
      state: "missing",
      rawState: "not_created",
      isRunning: false,
      uptimeSeconds: null,
      resources: { cpuPercent: null, cpuWindowSeconds: null, cpuCount: null, memoryUsedMb: null, memoryLimitMb: null, diskUsedGb: null, diskTotalGb: null },
      services: [],
      errors: ["no machine named 'web' (known: dev)"],
      notices: [],
      stale: false,
      collectedAt: "2026-11-26T18:11:02.962Z",
      configChanged: false,
      drift: null
    })
    expect(uncollectedReport(subject, "unknown", "x", at)).toMatchObject({ state: "unknown", rawState: "unknown" })
  })
})
