import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"

export interface DiskSpace {
  /** The directory that was measured: the one asked for, or its nearest existing parent. */
  readonly path: string
  /** Bytes an unprivileged user may still write (statfs `bavail`). */
  readonly freeBytes: number
  readonly totalBytes: number
}

export interface HostDiskShape {
  /** Free space of the filesystem holding `path` (or its nearest existing parent); None when nothing can be measured. */
  readonly space: (path: string) => Effect.Effect<Option.Option<DiskSpace>>
}

/** The host's filesystems as `vm doctor` measures them; injected so no unit test depends on the real disk. */
export class HostDisk extends Context.Tag("@vm/vagrant/HostDisk")<HostDisk, HostDiskShape>() {}

const measure = async (path: string): Promise<Option.Option<DiskSpace>> => {
  for (let dir = NodePath.resolve(path);; dir = NodePath.dirname(dir)) {
    try {
      const s = await NodeFs.statfs(dir)
      return Option.some({ path: dir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize })
    } catch {
      // a directory vm has not made yet lives on its parent's filesystem
      if (NodePath.dirname(dir) === dir) return Option.none()
    }
  }
}

export const HostDiskLive = Layer.succeed(HostDisk, HostDisk.of({ space: (path) => Effect.promise(() => measure(path)) }))

/** A host whose every filesystem has `freeBytes` of `totalBytes` left (or `hang` when statfs never returns). */
export const HostDiskFake = (answer: (path: string) => Omit<DiskSpace, "path"> | "hang" | undefined) =>
  Layer.succeed(
    HostDisk,
    HostDisk.of({
      space: (path) =>
        Effect.suspend(() => {
          const a = answer(path)
          return a === "hang" ? Effect.never : Effect.succeed(Option.map(Option.fromNullable(a), (s) => ({ path, ...s })))
        })
    })
  )
