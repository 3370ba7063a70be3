import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { controlDirFor, controlDirProblem, ensureControlDir } from "../src/SshClient.js"

const base = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-ssh-dir-"))
afterAll(() => Fs.rmSync(base, { recursive: true, force: true }))
const uid = process.getuid!()
const ensure = (dir: string) => ensureControlDir(dir, uid).pipe(Effect.provide(NodeContext.layer))

describe("the ssh control directory", () => {
  it("lives in the user's runtime directory when there is one, else /tmp/vm-ssh-<uid>", () => {
    expect(controlDirFor({ XDG_RUNTIME_DIR: "/run/user/1000" }, 1000)).toBe("/run/user/1000/vm-ssh")
    expect(controlDirFor({}, 1000)).toBe(Path.join(Os.tmpdir(), "vm-ssh-1000"))
    expect(controlDirFor({ XDG_RUNTIME_DIR: "relative" }, 7)).toBe(Path.join(Os.tmpdir(), "vm-ssh-7"))
  })

  it("is judged like OpenSSH judges ~/.ssh", () => {
    const ok = { isSymlink: false, isDirectory: true, uid: 1000, mode: 0o40700 }
    expect(controlDirProblem(ok, 1000)).toBeUndefined()
    expect(controlDirProblem({ ...ok, mode: 0o40777 }, 1000)).toContain("mode 777")
    expect(controlDirProblem({ ...ok, mode: 0o40750 }, 1000)).toContain("mode 750")
    expect(controlDirProblem({ ...ok, uid: 0 }, 1000)).toContain("owned by uid 0")
    expect(controlDirProblem({ ...ok, isSymlink: true }, 1000)).toContain("symbolic link")
    expect(controlDirProblem({ ...ok, isDirectory: false }, 1000)).toContain("not a directory")
  })

  it.effect("a missing directory is made with mode 700", () =>
    Effect.gen(function*() {
      const dir = Path.join(base, "fresh")
      expect(yield* ensure(dir)).toBe(dir)
      expect(Fs.statSync(dir).mode & 0o777).toBe(0o700)
    }))

  it.effect("a directory another user could have planted is refused, naming it and the fix", () =>
    Effect.gen(function*() {
      const open = Path.join(base, "open")
      Fs.mkdirSync(open)
      Fs.chmodSync(open, 0o777)
      const error = yield* Effect.flip(ensure(open))
      expect(error).toContain(open)
      expect(error).toContain("mode 777")
      expect(error).toContain("remove it")

      const link = Path.join(base, "link")
      Fs.symlinkSync(Path.join(base, "fresh"), link)
      expect(yield* Effect.flip(ensure(link))).toContain("symbolic link")

      if (uid === 0) {
        const foreign = Path.join(base, "foreign")
        Fs.mkdirSync(foreign, { mode: 0o700 })
        Fs.chownSync(foreign, 4321, 4321)
        expect(yield* Effect.flip(ensure(foreign))).toContain("owned by uid 4321")
      }
    }))
})
