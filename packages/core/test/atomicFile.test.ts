import { FileSystem } from "@effect/platform"
import { SystemError } from "@effect/platform/Error"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { readJsonFile, updateJsonFile, withFileLock, writeFileAtomic } from "../src/state/atomicFile.js"

const tempDir = () => Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-atomic-"))
const Counter = Schema.Struct({ items: Schema.Array(Schema.Number) })

/** The real filesystem, except that writes fail like a full disk. */
const diskFull = Layer.effect(
  FileSystem.FileSystem,
  Effect.map(FileSystem.FileSystem, (fs) => ({
    ...fs,
    writeFileString: (path: string) =>
      Effect.fail(new SystemError({ reason: "Unknown", module: "FileSystem", method: "writeFile", pathOrDescriptor: path, description: "ENOSPC: no space left on device" }))
  }))
).pipe(Layer.provide(NodeContext.layer))

describe("atomic state files", () => {
  it.effect("writeFileAtomic replaces the file and leaves no temp files", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = Path.join(dir, "state.json")
      yield* writeFileAtomic(file, "one")
      yield* writeFileAtomic(file, "two")
      expect(Fs.readFileSync(file, "utf8")).toBe("two")
      expect(Fs.readdirSync(dir)).toEqual(["state.json"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("a failed write (disk full) keeps the previous file", () =>
    Effect.gen(function*() {
      const dir = tempDir()
      const file = Path.join(dir, "state.json")
      Fs.writeFileSync(file, "previous")
      const error = yield* Effect.flip(writeFileAtomic(file, "next").pipe(Effect.provide(Layer.merge(NodeContext.layer, diskFull))))
      expect(error._tag).toBe("StateFileError")
      expect(error.message).toContain("no space left")
      expect(Fs.readFileSync(file, "utf8")).toBe("previous")
      expect(Fs.readdirSync(dir)).toEqual(["state.json"])
    }))

  it.effect("a corrupt state file is an error naming the file", () =>
    Effect.gen(function*() {
      const file = Path.join(tempDir(), "state.json")
      Fs.writeFileSync(file, "{not json")
      const error = yield* Effect.flip(readJsonFile(file, Counter))
      expect(error.message).toContain(file)
      expect(error.message).toContain("corrupt")
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("concurrent read-modify-write under the lock loses no update", () =>
    Effect.gen(function*() {
      const file = Path.join(tempDir(), "state.json")
      yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) => updateJsonFile(file, Counter, () => ({ items: [] }), (s) => Effect.succeed([{ items: [...s.items, i] }, undefined] as const)),
        { concurrency: "unbounded" }
      )
      const final = yield* readJsonFile(file, Counter)
      expect(Option.getOrThrow(final).items.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a lock left by a dead process is taken over", () =>
    Effect.gen(function*() {
      const lock = Path.join(tempDir(), "x.lock")
      Fs.writeFileSync(lock, "999999999")
      const result = yield* withFileLock(lock, Effect.succeed("ran"), "2 seconds")
      expect(result).toBe("ran")
      expect(Fs.existsSync(lock)).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.live("a lock held by a live process times out with a clear error", () =>
    Effect.gen(function*() {
      const lock = Path.join(tempDir(), "x.lock")
      Fs.writeFileSync(lock, String(process.pid))
      const error = yield* Effect.flip(withFileLock(lock, Effect.succeed("ran"), "300 millis"))
      expect(error.message).toContain("still locked")
    }).pipe(Effect.provide(NodeContext.layer)))
})
