import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { InvalidInput, StateFileError, TempVmRecord, type VmError } from "@vm/core"
import { readJsonFile, updateJsonFile, withFileLock } from "@vm/core/provider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { tempDir, tempRoot, tempStateFile } from "./tempContext.js"

/** A name with no (readable) state file: handled by the caller as "no such temp VM". */
export class TempRecordMissing extends Data.TaggedError("TempRecordMissing")<{ readonly name: string }> {}

/** Another temp VM already has this name (its own error: a generated name is drawn again, nothing else is). */
export class TempNameTaken extends Data.TaggedError("TempNameTaken")<{ readonly name: string }> {
  toInvalidInput() {
    return new InvalidInput({ what: `temp VM '${this.name}'`, reason: "already exists; pick another --name" })
  }
}

// null = no VM: lets updateJsonFile refuse to resurrect a destroyed VM's state
const StoredRecord = Schema.NullOr(TempVmRecord)

/** Reads and writes `~/.vm/temp/<name>/state.json`; every change under its lock, replaced atomically. */
export const makeTempStore = (home: string, fs: FileSystem.FileSystem, path: Path.Path) => {
  const withPlatform = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
    effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))
  const fileOf = (name: string) => tempStateFile(tempDir(home, name))

  /** Names of the temp VMs that have a state file, sorted. */
  const names: Effect.Effect<ReadonlyArray<string>, VmError> = Effect.gen(function*() {
    const root = tempRoot(home)
    if (!(yield* fs.exists(root).pipe(Effect.orElseSucceed(() => false)))) return []
    const entries = yield* fs.readDirectory(root).pipe(
      Effect.mapError((e) => new StateFileError({ path: root, reason: e.message }))
    )
    const withState = yield* Effect.filter(entries, (n) => fs.exists(fileOf(n)).pipe(Effect.orElseSucceed(() => false)))
    return withState.sort()
  })

  const read = (name: string): Effect.Effect<TempVmRecord, TempRecordMissing | StateFileError> =>
    withPlatform(readJsonFile(fileOf(name), StoredRecord)).pipe(
      Effect.flatMap((o) =>
        Option.isSome(o) && o.value !== null ? Effect.succeed(o.value) : Effect.fail(new TempRecordMissing({ name }))
      )
    )

  /** Read-modify-write under the lock; a missing VM fails with TempRecordMissing and writes nothing. */
  const update = <E>(
    name: string,
    f: (current: TempVmRecord) => Effect.Effect<TempVmRecord, E>
  ): Effect.Effect<TempVmRecord, E | TempRecordMissing | StateFileError> =>
    withPlatform(updateJsonFile(fileOf(name), StoredRecord, () => null, (current): Effect.Effect<
      readonly [TempVmRecord, TempVmRecord],
      E | TempRecordMissing
    > =>
      current === null
        ? Effect.fail(new TempRecordMissing({ name }))
        : Effect.map(f(current), (next) => [next, next] as const)))

  /** Claims the name: fails when a VM of that name already has state. */
  const create = (record: TempVmRecord): Effect.Effect<void, TempNameTaken | StateFileError> =>
    withPlatform(updateJsonFile(fileOf(record.name), StoredRecord, () => null, (current) =>
      current === null
        ? Effect.succeed([record, undefined] as const)
        : Effect.fail(new TempNameTaken({ name: record.name }))))

  /** Deletes the state file (under its lock, so a concurrent update sees the VM gone), then the directory. */
  const remove = (name: string): Effect.Effect<void, StateFileError> =>
    Effect.gen(function*() {
      const file = fileOf(name)
      const failure = (e: { readonly message: string }) => new StateFileError({ path: tempDir(home, name), reason: e.message })
      yield* withPlatform(withFileLock(`${file}.lock`, fs.remove(file, { force: true }).pipe(Effect.mapError(failure))))
      yield* fs.remove(tempDir(home, name), { recursive: true, force: true }).pipe(Effect.mapError(failure))
    })

  return { names, read, update, create, remove, fileOf }
}

export type TempStore = ReturnType<typeof makeTempStore>
