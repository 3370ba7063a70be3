import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type MountContext, resolveMounts } from "../../src/temp/resolveMounts.js"

const base = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-mounts-")))
const home = Path.join(base, "home")
const cwd = Path.join(base, "work")
for (const dir of ["home/.vm/temp", "home/.ssh", "home/code", "work/src", "work/tests", "work/it's a \"dir\"", "work/a:b", "other/src"]) {
  Fs.mkdirSync(Path.join(base, dir), { recursive: true })
}
Fs.writeFileSync(Path.join(cwd, "file.txt"), "x")
Fs.symlinkSync("/etc", Path.join(cwd, "etc-link"))
Fs.symlinkSync(Path.join(cwd, "src"), Path.join(cwd, "src-link"))
afterAll(() => Fs.rmSync(base, { recursive: true, force: true }))

const context = (overrides: Partial<MountContext> = {}): MountContext => ({
  cwd,
  home,
  // a provider's limits arrive as a function (the docker module's is tested in @vm/vagrant)
  pathProblem: (source, target) => source.includes(":") || target.includes(":") ? "no ':' in paths here" : undefined,
  guestUser: "vagrant",
  existing: [],
  ...overrides
})
const resolve = (specs: ReadonlyArray<string>, overrides: Partial<MountContext> = {}) =>
  resolveMounts(specs, context(overrides)).pipe(Effect.provide(NodeContext.layer))
const refused = (specs: ReadonlyArray<string>, overrides: Partial<MountContext> = {}) =>
  Effect.flip(resolve(specs, overrides))

describe("resolveMounts", () => {
  it.effect("relative sources, default targets, modes", () =>
    Effect.gen(function*() {
      const mounts = yield* resolve(["src", "./tests:ro", `${base}/other/src:/opt/other:rw`])
      expect(mounts).toEqual([
        { source: `${cwd}/src`, target: "/workspace/src", readonly: false },
        { source: `${cwd}/tests`, target: "/workspace/tests", readonly: true },
        { source: `${base}/other/src`, target: "/opt/other", readonly: false }
      ])
    }))

  it.effect("symlinks are resolved: the real directory is recorded and named", () =>
    Effect.gen(function*() {
      expect(yield* resolve(["src-link"])).toEqual([{ source: `${cwd}/src`, target: "/workspace/src", readonly: false }])
    }))

  it.effect("names with spaces and quotes", () =>
    Effect.gen(function*() {
      expect(yield* resolve([`it's a "dir":ro`])).toEqual([
        { source: `${cwd}/it's a "dir"`, target: `/workspace/it's a "dir"`, readonly: true }
      ])
    }))

  it.effect("a ':' in a host path works unless the provider's path rule refuses it", () =>
    Effect.gen(function*() {
      expect(yield* resolve(["a:b:/data"], { pathProblem: undefined })).toEqual([
        { source: `${cwd}/a:b`, target: "/data", readonly: false }
      ])
      const e = yield* refused(["a:b:/data"])
      expect(e.message).toBe(`mount 'a:b:/data': no ':' in paths here`)
    }))

  it.effect("a missing source is named, with a hint when it contains ':'", () =>
    Effect.gen(function*() {
      expect((yield* refused(["nope"])).message).toBe(`mount 'nope': ${cwd}/nope does not exist`)
      expect((yield* refused(["src:app"])).message).toContain("text after a ':' is a guest target only when it starts with '/'")
    }))

  it.effect("a file is not a directory", () =>
    Effect.gen(function*() {
      expect((yield* refused(["file.txt"])).message).toBe(`mount 'file.txt': ${cwd}/file.txt is not a directory`)
    }))

  it.effect("system directories, also through a symlink, and the tool's own and secret directories", () =>
    Effect.gen(function*() {
      expect((yield* refused(["/"])).message).toContain("root of the file system")
      expect((yield* refused(["/etc"])).message).toContain("system directory")
      expect((yield* refused(["etc-link"])).message).toBe("mount 'etc-link': /etc is a system directory (/etc); mount a project directory instead")
      expect((yield* refused([home])).message).toContain("home directory")
      expect((yield* refused([`${home}/.vm/temp`])).message).toContain("~/.vm")
      expect((yield* refused([`${home}/.ssh`])).message).toContain("~/.ssh")
      expect(yield* resolve([`${home}/code`])).toHaveLength(1)
    }))

  it.effect("targets must be absolute and harmless", () =>
    Effect.gen(function*() {
      expect((yield* refused(["src:/etc/x"])).message).toContain("inside /etc")
      expect((yield* refused(["src:/home/vagrant"])).message).toContain("would hide")
      expect((yield* refused(["src:/workspace/../usr"])).message).toContain("'..'")
    }))

  it.effect("duplicates by source and by target, within a batch and against existing mounts", () =>
    Effect.gen(function*() {
      expect((yield* refused(["src", "src-link:/other"])).message).toBe(
        `mount 'src-link:/other': ${cwd}/src is already mounted at /workspace/src`
      )
      expect((yield* refused(["src", `${base}/other/src`])).message).toBe(
        `mount '${base}/other/src': guest path /workspace/src is already used by ${cwd}/src (give this one its own target: SOURCE:/guest/path)`
      )
      expect((yield* refused(["tests:/workspace/src/"], { existing: [{ source: `${cwd}/src`, target: "/workspace/src", readonly: false }] })).message)
        .toContain("already used by")
      expect((yield* refused(["src:/x"], { existing: [{ source: `${cwd}/src`, target: "/workspace/src", readonly: false }] })).message)
        .toContain("already mounted at /workspace/src")
    }))

  it.effect("all or nothing: one bad spec fails the batch", () =>
    Effect.gen(function*() {
      const e = yield* refused(["src", "tests", "nope:ro"])
      expect(e._tag).toBe("InvalidInput")
      expect(e.message).toContain("mount 'nope:ro'")
    }))
})
