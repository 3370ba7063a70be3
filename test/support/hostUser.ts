/**
 * A throwaway host user, for e2e runs of the CLI as "someone else" (a uid other than the image's 1000):
 *
 *   const user = await createHostUser()   // needs root (useradd)
 *   const sb = await makeSandbox({ owner: user, ... })
 *   ...
 *   await user.remove()
 *
 * Its gid differs from its uid, so a swapped pair shows. It joins the `docker` group: the daemon's
 * socket is root:docker 0660, and Vagrant's docker provider runs the docker CLI as the calling user
 * (Docker's own set-up for non-root users). No password, no login shell.
 */
import { formatResult, sh } from "./sandbox.js"

export interface HostUserAccount {
  readonly name: string
  readonly uid: number
  readonly gid: number
  /** Never throws: userdel + groupdel. */
  remove(): Promise<void>
}

/** Why this host cannot create the user, if it cannot (not root, no docker group, no setpriv). */
export async function hostUserProblem(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return "creating a host user needs root"
  const docker = await sh("getent", ["group", "docker"])
  if (docker.exitCode !== 0) return "no `docker` group (the docker daemon's socket group)"
  for (const tool of ["useradd", "setpriv"]) {
    if ((await sh("sh", ["-c", `command -v ${tool}`])).exitCode !== 0) return `${tool} is not installed`
  }
  return undefined
}

const taken = async (db: "passwd" | "group", id: number) => (await sh("getent", [db, String(id)])).exitCode === 0

/** The first uid from `from` whose uid and uid+1 (the gid) are both free. */
async function freeIds(from: number): Promise<{ uid: number; gid: number }> {
  for (let uid = from; uid < from + 1000; uid += 2) {
    if (!(await taken("passwd", uid)) && !(await taken("group", uid + 1))) return { uid, gid: uid + 1 }
  }
  throw new Error(`no free uid/gid pair in ${from}..${from + 1000}`)
}

/** The passwd home is /nonexistent: the sandbox gives the CLI its own HOME. */
export async function createHostUser(from = 23456): Promise<HostUserAccount> {
  const { uid, gid } = await freeIds(from)
  const name = `vme2e${uid}`
  const must = async (cmd: string, args: ReadonlyArray<string>) => {
    const r = await sh(cmd, args)
    if (r.exitCode !== 0) throw new Error(`cannot create host user ${name}\n${formatResult(r)}`)
  }
  await must("groupadd", ["--gid", String(gid), name])
  await must("useradd", ["--uid", String(uid), "--gid", String(gid), "--groups", "docker", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name])
  return {
    name,
    uid,
    gid,
    remove: async () => {
      await sh("userdel", [name]).catch(() => undefined)
      // userdel removes a same-named primary group itself (USERGROUPS_ENAB); this is for when it did not
      await sh("groupdel", [name]).catch(() => undefined)
    }
  }
}
