import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parseMountSpec } from "../../src/temp/mountSpec.js"

const ok = (spec: string) => Either.getOrThrow(parseMountSpec(spec))
const reason = (spec: string) => {
  const result = parseMountSpec(spec)
  if (Either.isRight(result)) throw new Error(`expected '${spec}' to be refused`)
  return result.left
}

describe("parseMountSpec", () => {
  it.each([
    ["src", { source: "src", target: undefined, readonly: undefined }],
    ["./src", { source: "./src", target: undefined, readonly: undefined }],
    ["src:ro", { source: "src", target: undefined, readonly: true }],
    ["src:rw", { source: "src", target: undefined, readonly: false }],
    ["src:/app", { source: "src", target: "/app", readonly: undefined }],
    ["src:/app:ro", { source: "src", target: "/app", readonly: true }],
    ["/abs/src:/opt/app:rw", { source: "/abs/src", target: "/opt/app", readonly: false }],
    // colons inside the host path
    ["/data/a:b", { source: "/data/a:b", target: undefined, readonly: undefined }],
    ["/data/a:b:ro", { source: "/data/a:b", target: undefined, readonly: true }],
    ["/data/a:b:/x", { source: "/data/a:b", target: "/x", readonly: undefined }],
    ["a:/b:/workspace/b", { source: "a:/b", target: "/workspace/b", readonly: undefined }],
    // a directory literally named x:ro needs an explicit mode
    ["x:ro:rw", { source: "x:ro", target: undefined, readonly: false }],
    ["x:ro", { source: "x", target: undefined, readonly: true }],
    // a mode-like word that is not the whole last segment is part of the path
    ["dir:rox", { source: "dir:rox", target: undefined, readonly: undefined }],
    ["it's a \"dir\"", { source: "it's a \"dir\"", target: undefined, readonly: undefined }],
    ["with space:/t t:ro", { source: "with space", target: "/t t", readonly: true }]
  ])("%s", (spec, expected) => {
    expect(ok(spec)).toEqual(expected)
  })

  it("a relative text after ':' is part of the source (targets must be absolute)", () => {
    expect(ok("src:app")).toEqual({ source: "src:app", target: undefined, readonly: undefined })
  })

  it.each([
    ["", "no host directory"],
    [":ro", "no host directory"],
    [":/target", "no host directory"],
    ["src:", "empty guest target"],
    ["src::ro", "empty guest target"],
    ["a\0b", "NUL"]
  ])("refuses %j", (spec, message) => {
    const e = reason(spec)
    expect(e._tag).toBe("InvalidInput")
    expect(e.message).toContain(message)
    expect(e.message).toContain(`mount '${spec}'`)
  })
})
