import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeFs from "node:fs/promises"
import * as NodePath from "node:path"

export type HostPlatform = "linux" | "darwin" | "win32" | "other"

/** The numeric ids of the user `vm` runs as: what owns the files this user creates on the host. */
export interface HostUser {
  readonly uid: number
  readonly gid: number
}

export interface HostToolsShape {
  readonly platform: HostPlatform
  /** The user `vm` runs as; null where the platform has no POSIX ids (Windows). */
  readonly user: HostUser | null
  /** The executable's full path on PATH (Windows: with PATHEXT), if any. */
  readonly which: (tool: string) => Effect.Effect<Option.Option<string>>
}

/**
 * The host as `vm` sees it: its platform, its user and the programs on its PATH. Injected, so no unit
 * test reads the real PATH or user and nothing probes the filesystem behind the layers' back.
 */
export class HostTools extends Context.Tag("@vm/vagrant/HostTools")<HostTools, HostToolsShape>() {}

const platformOf = (p: NodeJS.Platform): HostPlatform => (p === "linux" || p === "darwin" || p === "win32" ? p : "other")

/** Pure: the candidate paths for `tool`, in PATH order (Windows tries each PATHEXT suffix). */
export const pathCandidates = (
  tool: string,
  env: { readonly PATH?: string | undefined; readonly PATHEXT?: string | undefined },
  platform: HostPlatform
): ReadonlyArray<string> => {
  const path = platform === "win32" ? NodePath.win32 : NodePath.posix
  const delimiter = platform === "win32" ? ";" : ":"
  const dirs = (env.PATH ?? "").split(delimiter).filter((d) => d !== "")
  const exts = platform === "win32"
    ? (env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "")
    : [""]
  const named = platform === "win32" && exts.some((e) => tool.toLowerCase().endsWith(e.toLowerCase())) ? [""] : exts
  return dirs.flatMap((dir) => named.map((ext) => path.join(dir, tool + ext)))
}

export const makeHostTools = (
  platform: HostPlatform,
  env: { readonly PATH?: string | undefined; readonly PATHEXT?: string | undefined },
  isExecutable: (file: string) => Promise<boolean>,
  user: HostUser | null
): HostToolsShape => {
  const cache = new Map<string, Option.Option<string>>()
  return {
    platform,
    user,
    which: (tool) =>
      Effect.promise(async () => {
        const known = cache.get(tool)
        if (known !== undefined) return known
        for (const file of pathCandidates(tool, env, platform)) {
          if (await isExecutable(file)) {
            cache.set(tool, Option.some(file))
            return Option.some(file)
          }
        }
        cache.set(tool, Option.none())
        return Option.none()
      })
  }
}

const executable = (file: string) =>
  NodeFs.access(file, NodeFs.constants.X_OK).then(() => NodeFs.stat(file).then((s) => s.isFile()), () => false)

/** The real ids of this process (getuid/getgid exist on POSIX platforms only). */
const processUser = (): HostUser | null =>
  process.getuid === undefined || process.getgid === undefined ? null : { uid: process.getuid(), gid: process.getgid() }

export const HostToolsLive = Layer.sync(HostTools, () =>
  HostTools.of(
    makeHostTools(platformOf(process.platform), { PATH: process.env["PATH"], PATHEXT: process.env["PATHEXT"] }, executable, processUser())
  ))

/** A typical single-user developer machine: the first user of most Linux distributions. */
export const FAKE_HOST_USER: HostUser = { uid: 1000, gid: 1000 }

/** A host with exactly these programs (name → path) on a given platform, run by `user`. */
export const HostToolsFake = (tools: ReadonlyArray<string> = [], platform: HostPlatform = "linux", user: HostUser | null = FAKE_HOST_USER) =>
  Layer.succeed(
    HostTools,
    HostTools.of({
      platform,
      user,
      which: (tool) => Effect.succeed(tools.includes(tool) ? Option.some(`/usr/bin/${tool}`) : Option.none())
    })
  )
