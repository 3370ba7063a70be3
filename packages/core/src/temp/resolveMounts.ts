import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import type { PlatformError } from "@effect/platform/Error"
import * as Effect from "effect/Effect"
import type { InvalidInput } from "../errors.js"
import { defaultTarget, hostSourceProblem, normalizeGuestTarget } from "./mountRules.js"
import { invalidMount, parseMountSpec } from "./mountSpec.js"
import type { Mount } from "./TempVmRecord.js"

export interface MountContext {
  /** Relative sources are resolved against it. */
  readonly cwd: string
  readonly home: string
  /** The provider's limits on mount paths (see the provider module), if it has any. */
  readonly pathProblem?: ((source: string, target: string) => string | undefined) | undefined
  /** Guest login user (its home and ~/.ssh are protected targets). */
  readonly guestUser: string
  /** Mounts the VM already has: duplicates of these are refused too. */
  readonly existing: ReadonlyArray<Mount>
}

const describeFsError = (path: string, e: PlatformError) =>
  e._tag === "SystemError" && e.reason === "NotFound"
    ? `${path} does not exist`
    : e._tag === "SystemError" && e.reason === "PermissionDenied"
    ? `${path} is not accessible (permission denied)`
    : `cannot read ${path}: ${e.message}`

/**
 * Turns mount specs into mounts: the source must be an existing directory (symlinks resolved) that
 * is not a system or secret directory, the target an absolute guest path; no source or target twice.
 * All-or-nothing: the first problem fails the whole batch, naming the offending spec.
 */
export const resolveMounts = (specs: ReadonlyArray<string>, context: MountContext) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const home = yield* fs.realPath(context.home).pipe(Effect.orElseSucceed(() => context.home))
    const resolved: Array<Mount> = []
    for (const spec of specs) {
      const parsed = yield* parseMountSpec(spec)
      const given = path.resolve(context.cwd, parsed.source)
      const real = yield* fs.realPath(given).pipe(
        Effect.mapError((e) => {
          const hint = parsed.target === undefined && parsed.source.includes(":")
            ? " (text after a ':' is a guest target only when it starts with '/')"
            : ""
          return invalidMount(spec, `${describeFsError(given, e)}${hint}`)
        })
      )
      const info = yield* fs.stat(real).pipe(Effect.mapError((e) => invalidMount(spec, describeFsError(real, e))))
      if (info.type !== "Directory") return yield* invalidMount(spec, `${real} is not a directory`)
      const sourceProblem = hostSourceProblem(real, home)
      if (sourceProblem !== undefined) return yield* invalidMount(spec, `${real} ${sourceProblem}`)
      const target = normalizeGuestTarget(parsed.target ?? defaultTarget(real), context.guestUser)
      if (!target.ok) return yield* invalidMount(spec, target.reason)
      const providerProblem = context.pathProblem?.(real, target.target)
      if (providerProblem !== undefined) return yield* invalidMount(spec, providerProblem)
      const taken = [...context.existing, ...resolved]
      const sameSource = taken.find((m) => m.source === real)
      if (sameSource) return yield* invalidMount(spec, `${real} is already mounted at ${sameSource.target}`)
      const sameTarget = taken.find((m) => m.target === target.target)
      if (sameTarget) {
        const hint = parsed.target === undefined ? " (give this one its own target: SOURCE:/guest/path)" : ""
        return yield* invalidMount(spec, `guest path ${target.target} is already used by ${sameTarget.source}${hint}`)
      }
      resolved.push({ source: real, target: target.target, readonly: parsed.readonly ?? false })
    }
    return resolved as ReadonlyArray<Mount>
  }) as Effect.Effect<ReadonlyArray<Mount>, InvalidInput, FileSystem.FileSystem | Path.Path>
