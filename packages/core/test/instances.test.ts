import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { resolveInstance, validateInstanceName } from "../src/instances.js"

describe("resolveInstance", () => {
  const known = ["dev", "web-1", "web-2", "db-main"]
  it.effect("defaults to dev", () => Effect.map(resolveInstance(undefined, known), (n) => expect(n).toBe("dev")))
  it.effect("defaults to the only instance", () =>
    Effect.map(resolveInstance(undefined, ["solo"]), (n) => expect(n).toBe("solo")))
  it.effect("exact name wins over prefix", () =>
    Effect.map(resolveInstance("dev", [...known, "devx"]), (n) => expect(n).toBe("dev")))
  it.effect("unique prefix", () => Effect.map(resolveInstance("db", known), (n) => expect(n).toBe("db-main")))
  it.effect("unique substring", () => Effect.map(resolveInstance("main", known), (n) => expect(n).toBe("db-main")))
  it.effect("ambiguous prefix lists candidates", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(resolveInstance("web", known))
      expect(e._tag).toBe("AmbiguousInstance")
      expect(e.message).toContain("web-1, web-2")
    }))
  it.effect("unknown name lists known machines", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(resolveInstance("zzz", known))
      expect(e._tag).toBe("VmNotFound")
      expect(e.message).toContain("dev, web-1")
    }))
  it.effect("no default among several", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(resolveInstance(undefined, ["a1", "b1"]))
      expect(e._tag).toBe("VmNotFound")
    }))
})

describe("validateInstanceName", () => {
  it.effect.each(["dev", "web-1", "a", "x".repeat(40)])("accepts %s", (n) =>
    Effect.map(validateInstanceName(n), (v) => expect(v).toBe(n)))
  it.effect.each(["", "Dev", "-x", "a_b", "a b", "x".repeat(41), "a'b"])("rejects %j", (n) =>
    Effect.map(Effect.flip(validateInstanceName(n)), (e) => expect(e._tag).toBe("InvalidInput")))
})
