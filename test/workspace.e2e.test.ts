/**
 * A writable workspace and rw mounts on the docker provider, whatever the host user's uid/gid:
 * the real `vm` CLI, real Vagrant, the local image (its vm-sshd gives `vagrant` the host user's ids).
 *
 * Run twice: as the user running the tests (root in CI: the guest user gets uid 0) and as a second
 * host user created here (uid/gid other than 1000 and other than each other, in the `docker` group),
 * each with a project it owns. Nothing of the project is chowned or chmodded by the tests.
 */
import { lstatSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { createHostUser, type HostUserAccount, hostUserProblem } from "./support/hostUser.js"
import { makeSandbox, type Sandbox, type SandboxOwner } from "./support/sandbox.js"
import { expectOk } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()
const userProblem = e2e.ok ? await hostUserProblem() : undefined
if (userProblem !== undefined) {
  if (process.env["CI"] === "true") throw new Error(`the second-host-user e2e cannot run: ${userProblem}`)
  console.warn(`workspace e2e as a second host user NOT RUN: ${userProblem}`)
}

const USER_CONFIG = "defaults:\n  provider: docker\n"

/** owner (uid:gid) of a host path, and its permission bits. */
const ownerOf = (path: string) => {
  const st = lstatSync(path)
  return `${st.uid}:${st.gid}`
}
const modeOf = (path: string) => (statSync(path).mode & 0o7777).toString(8)

/** The whole scenario, for a host user with these ids (undefined owner: the tests' own user). */
const writableWorkspace = (label: string, owner: () => SandboxOwner | undefined) => {
  let sb: Sandbox
  let ids: string
  let before: { project: string; mode: string; file: string }
  const temp = `ws-${label}`
  const vmOk = async (args: ReadonlyArray<string>) => {
    const r = await sb.runVm(args)
    expectOk(r)
    return r
  }

  beforeAll(async () => {
    const o = owner()
    sb = await makeSandbox({
      projectName: `e2e-ws-${label}`,
      vmYaml: `project:\n  name: e2e-ws-${label}\n`,
      userConfig: USER_CONFIG,
      files: { "kept.txt": "the user's file\n", "mounts/rw/in-rw.txt": "rw\n", "mounts/ro/in-ro.txt": "ro\n" },
      ...(o === undefined ? {} : { owner: o })
    })
    ids = o === undefined ? `${process.getuid!()}:${process.getgid!()}` : `${o.uid}:${o.gid}`
    before = { project: ownerOf(sb.project), mode: modeOf(sb.project), file: ownerOf(join(sb.project, "kept.txt")) }
  })
  afterAll(async () => {
    if (sb === undefined) return
    await sb.runVm(["temp", "destroy", "--all"]).catch(() => undefined)
    await sb.runVm(["destroy", "--force"]).catch(() => undefined)
    await sb.cleanup()
  })

  it("the project belongs to the host user, as a user's own checkout does", () => {
    expect(before.project).toBe(ids)
    expect(before.file).toBe(ids)
  })

  it("vm create: the guest user has the host user's uid/gid and can still sudo", async () => {
    await vmOk(["create"])
    const id = await vmOk(["exec", "--", "sh", "-c", "echo $(id -u):$(id -g)"])
    expect(id.stdout.trim()).toBe(ids)
    expect((await vmOk(["exec", "--", "sudo", "-n", "id", "-u"])).stdout.trim()).toBe("0")
  })

  it("the guest writes the workspace; the host sees the files owned by the host user", async () => {
    await vmOk(["exec", "--", "sh", "-c", "echo from the guest > from-guest.txt && mkdir -p sub/deeper && touch sub/deeper/f"])
    expect(readFileSync(join(sb.project, "from-guest.txt"), "utf8")).toBe("from the guest\n")
    for (const path of ["from-guest.txt", "sub", "sub/deeper", "sub/deeper/f"]) expect(ownerOf(join(sb.project, path)), path).toBe(ids)
    // and the guest reads and edits what the host user made
    await vmOk(["exec", "--", "sh", "-c", "echo edited >> kept.txt"])
    expect(readFileSync(join(sb.project, "kept.txt"), "utf8")).toBe("the user's file\nedited\n")
  })

  it("a temp VM: the rw mount is writable (files owned by the host user), the ro mount stays read-only, even for sudo", async () => {
    const rw = join(sb.project, "mounts", "rw")
    const ro = join(sb.project, "mounts", "ro")
    await vmOk(["temp", "create", "--name", temp, rw, `${ro}:ro`])
    const id = await vmOk(["temp", "exec", "--name", temp, "--", "sh", "-c", "echo $(id -u):$(id -g)"])
    expect(id.stdout.trim()).toBe(ids)
    await vmOk(["temp", "exec", "--name", temp, "--", "sh", "-c", "echo temp > /workspace/rw/from-temp.txt && mkdir /workspace/rw/d"])
    expect(readFileSync(join(rw, "from-temp.txt"), "utf8")).toBe("temp\n")
    expect(ownerOf(join(rw, "from-temp.txt"))).toBe(ids)
    expect(ownerOf(join(rw, "d"))).toBe(ids)

    expect((await vmOk(["temp", "exec", "--name", temp, "--", "cat", "/workspace/ro/in-ro.txt"])).stdout).toBe("ro\n")
    for (const write of ["echo no > /workspace/ro/new.txt", "sudo -n sh -c 'echo no > /workspace/ro/new.txt'", "echo no >> /workspace/ro/in-ro.txt"]) {
      const r = await sb.runVm(["temp", "exec", "--name", temp, "--", "sh", "-c", write])
      expect(r.exitCode, write).not.toBe(0)
      expect(r.stderr, write).toContain("Read-only file system")
    }
    expect(() => statSync(join(ro, "new.txt"))).toThrow()
    expect(readFileSync(join(ro, "in-ro.txt"), "utf8")).toBe("ro\n")
  })

  it("the user's host files were never chowned or chmodded", () => {
    expect(ownerOf(sb.project)).toBe(before.project)
    expect(modeOf(sb.project)).toBe(before.mode)
    expect(ownerOf(join(sb.project, "kept.txt"))).toBe(before.file)
  })
}

describe.runIf(e2e.ok)("writable workspace as the user running the tests (docker provider)", () => {
  writableWorkspace("self", () => undefined)
})

describe.runIf(e2e.ok && userProblem === undefined)("writable workspace as a second host user (uid/gid not 1000)", () => {
  let user: HostUserAccount | undefined
  beforeAll(async () => {
    user = await createHostUser()
  })
  afterAll(async () => {
    if (user === undefined) return
    await user.remove()
    // the CLI's ssh control directory for that uid (no XDG_RUNTIME_DIR), which outlives the user otherwise
    rmSync(join(tmpdir(), `vm-ssh-${user.uid}`), { recursive: true, force: true })
  })
  writableWorkspace("user", () => {
    if (user === undefined) throw new Error("host user not created")
    expect(user.uid).not.toBe(1000)
    expect(user.gid).not.toBe(user.uid)
    return { uid: user.uid, gid: user.gid }
  })
})
