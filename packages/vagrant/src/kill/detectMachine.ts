import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

export interface DetectedMachine {
  /** Provider directory name: docker, virtualbox, vmware_desktop, hyperv, libvirt, parallels, or a plugin's. */
  readonly provider: string
  /** The provider's real id, exactly as Vagrant stored it. */
  readonly id: string
}

/**
 * Which provider a machine really runs on, and its real id: Vagrant writes `<machineDir>/<provider>/id`
 * when it creates the machine and removes it when it destroys it, whatever the config says now.
 * Several providers with an id (a machine re-created elsewhere without destroy) → the newest id file.
 */
export const detectMachine = (machineDir: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const entries = yield* fs.readDirectory(machineDir).pipe(Effect.orElseSucceed((): ReadonlyArray<string> => []))
    const found = yield* Effect.forEach(entries, (provider) =>
      Effect.gen(function*() {
        const file = path.join(machineDir, provider, "id")
        const id = (yield* fs.readFileString(file)).trim()
        const info = yield* fs.stat(file)
        return id === "" ? [] : [{ provider, id, mtime: Option.getOrElse(info.mtime, () => new Date(0)).getTime() }]
      }).pipe(Effect.orElseSucceed(() => [])))
    const newest = found.flat().sort((a, b) => b.mtime - a.mtime)[0]
    return newest === undefined ? Option.none<DetectedMachine>() : Option.some({ provider: newest.provider, id: newest.id })
  })
