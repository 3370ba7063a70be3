/**
 * Per-test-file sandbox for driving the real `vm` CLI against real Vagrant.
 *
 *   const sb = await makeSandbox({ projectName: "e2e-life", vmYaml: "project:\n  name: e2e-life\n" })
 *   const r = await sb.runVm(["create"])          // never rejects on a non-zero exit, only on timeout
 *   expect(r.exitCode, formatResult(r)).toBe(0)
 *   ...
 *   afterAll(() => sb.cleanup())                    // never throws; removes containers + temp dir
 *
 * Layout (root is a fresh, canonical (realpath) temp dir):
 *   <root>/home                    fake $HOME (so ~/.vm and ~/.vagrant.d are private to the sandbox)
 *   <root>/home/.vm/config.yaml    only when `userConfig` is given
 *   <root>/<projectName>/vm.yaml   the project (default cwd of runVm)
 *
 * Everything belongs to the user running the tests (root in CI), as a user's own checkout would:
 * the docker provider gives the guest user the host user's uid/gid, so /workspace is writable.
 * `owner` runs the CLI as another host user instead (the sandbox then belongs to that user).
 */
import { spawn } from "node:child_process"
import { chown, lstat, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "")
/** The CLI entry point that runVm executes with `node`. */
export const VM_BIN = join(REPO, "packages/cli/bin/vm.cjs")
/** Label the vm tool puts on every docker-provider container: the project root (absolute). */
export const ROOT_LABEL = "dev.vm.root"

export interface RunOptions {
  /** Working directory (runVm default: the sandbox project dir; sh default: process.cwd()). */
  readonly cwd?: string
  /** Written to stdin, then stdin is closed. Without it stdin is closed immediately. */
  readonly input?: string
  /** Extra environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Kill the whole process group and reject after this long. runVm: 5 min, sh: 2 min. */
  readonly timeoutMs?: number
}

export interface RunResult {
  /** Display form of the command, for messages. */
  readonly command: string
  readonly stdout: string
  readonly stderr: string
  /** Exit status; 128+n when killed by signal n; 127 when the program could not be spawned. */
  readonly exitCode: number
  readonly durationMs: number
}

export interface SandboxOptions {
  /** Project directory name (default "project"). */
  readonly projectName?: string
  /** Content of <project>/vm.yaml; omitted: no vm.yaml is written. */
  readonly vmYaml?: string
  /** Content of <home>/.vm/config.yaml; omitted: not written. */
  readonly userConfig?: string
  /** More files relative to the project dir (parent dirs are created), e.g. { "Vagrantfile": "..." }. */
  readonly files?: Readonly<Record<string, string>>
  /**
   * Run the CLI as this host user (setpriv: needs root, and a passwd entry for initgroups): the
   * whole sandbox is chowned to it first. Default: the user running the tests.
   */
  readonly owner?: SandboxOwner
}

export interface SandboxOwner {
  readonly uid: number
  readonly gid: number
}

export interface Sandbox {
  /** The temp dir holding everything (canonical path). */
  readonly root: string
  /** Fake $HOME. */
  readonly home: string
  /** Project dir (canonical path; this is the dev.vm.root label value of its containers). */
  readonly project: string
  /** Run `node packages/cli/bin/vm.cjs ...args`. Resolves on any exit status; rejects on timeout. */
  runVm(args: ReadonlyArray<string>, opts?: RunOptions): Promise<RunResult>
  /** Containers whose dev.vm.root label is the project dir or anything under the sandbox root. */
  containers(): Promise<ReadonlyArray<SandboxContainer>>
  /** Never throws: kills leftover processes, `docker rm -f` every container of the sandbox, removes the temp dir. */
  cleanup(): Promise<void>
}

export interface SandboxContainer {
  readonly id: string
  readonly name: string
  /** docker's .State: running | exited | created | paused | restarting | removing | dead */
  readonly state: string
  /** Value of the dev.vm.root label. */
  readonly root: string
}

const signalNumbers: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`
}

/** Multi-line description of a result, for assertion messages. */
export function formatResult(r: RunResult): string {
  const clip = (s: string) => (s.length > 8000 ? `${s.slice(0, 4000)}\n[... ${s.length - 8000} chars ...]\n${s.slice(-4000)}` : s)
  return `$ ${r.command}\n(exit ${r.exitCode}, ${(r.durationMs / 1000).toFixed(1)} s)\n--- stdout ---\n${clip(r.stdout)}\n--- stderr ---\n${clip(r.stderr)}`
}

interface SpawnSpec {
  readonly file: string
  readonly args: ReadonlyArray<string>
  readonly display: string
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  readonly input: string | undefined
  readonly timeoutMs: number
  readonly track: Set<number> | undefined
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

function run(spec: SpawnSpec): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    // detached: own session + process group (no controlling TTY), so a timeout can kill
    // vagrant/ruby/ssh/docker children along with the CLI.
    const child = spawn(spec.file, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true
    })
    const pid = child.pid
    if (pid !== undefined) spec.track?.add(pid)
    let settled = false
    const finish = (f: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (pid !== undefined) spec.track?.delete(pid)
      f()
    }
    const result = (exitCode: number): RunResult => ({
      command: spec.display,
      stdout: Buffer.concat(out).toString("utf8"),
      stderr: Buffer.concat(err).toString("utf8"),
      exitCode,
      durationMs: Date.now() - started
    })
    const timer = setTimeout(() => {
      if (pid !== undefined) {
        killGroup(pid, "SIGTERM")
        setTimeout(() => killGroup(pid, "SIGKILL"), 3000).unref()
      }
      const r = result(-1)
      finish(() =>
        reject(
          new Error(
            `Timed out after ${Math.round(spec.timeoutMs / 1000)} s (process group killed): ${spec.display}\n` +
              `cwd: ${spec.cwd}\n--- stdout so far ---\n${r.stdout}\n--- stderr so far ---\n${r.stderr}`
          )
        )
      )
    }, spec.timeoutMs)
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.stderr.on("data", (b: Buffer) => err.push(b))
    child.stdin.on("error", () => {
      // EPIPE when the program exits without reading its input: irrelevant
    })
    if (spec.input !== undefined) child.stdin.end(spec.input)
    else child.stdin.end()
    child.on("error", (e) => {
      err.push(Buffer.from(`spawn ${spec.file} failed: ${e.message}\n`))
      finish(() => resolve(result(127)))
    })
    child.on("close", (code, signal) => {
      finish(() => resolve(result(code ?? (signal ? 128 + (signalNumbers[signal] ?? 0) : -1))))
    })
  })
}

/**
 * Run a program directly (docker, vagrant, ...) without a shell. Resolves with the exit
 * status (never rejects on non-zero); rejects on timeout after killing its process group.
 */
export function sh(cmd: string, args: ReadonlyArray<string>, opts: RunOptions = {}): Promise<RunResult> {
  return run({
    file: cmd,
    args,
    display: [cmd, ...args].map(quoteArg).join(" "),
    cwd: opts.cwd ?? process.cwd(),
    env: mergeEnv(process.env, opts.env),
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 120_000,
    track: undefined
  })
}

function mergeEnv(base: NodeJS.ProcessEnv, extra: RunOptions["env"]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base }
  for (const [k, v] of Object.entries(extra ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

/** Environment of the vm CLI: hermetic (host VM_* / VAGRANT_* location overrides dropped). */
export function vmEnv(home: string, extra: RunOptions["env"]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("VM_")) continue
    if (["VAGRANT_CWD", "VAGRANT_VAGRANTFILE", "VAGRANT_DOTFILE_PATH", "VAGRANT_HOME", "VAGRANT_DEFAULT_PROVIDER"].includes(k)) continue
    if (k === "FORCE_COLOR") continue
    env[k] = v
  }
  Object.assign(env, {
    HOME: home,
    VM_NO_PROGRESS: "1",
    NO_COLOR: "1",
    // no calls to HashiCorp's servers: tests only talk to 127.0.0.0/8
    VAGRANT_CHECKPOINT_DISABLE: "1",
    VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1"
  })
  return mergeEnv(env, extra)
}

export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid)
  const st = await lstat(path)
  if (!st.isDirectory()) return
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid)
}

/** All containers (any state) labelled dev.vm.root=<exact> or with a label value under <prefix>/. */
export async function containersByRoot(match: { readonly exact?: ReadonlyArray<string>; readonly prefix?: ReadonlyArray<string> }): Promise<ReadonlyArray<SandboxContainer>> {
  const r = await sh("docker", ["ps", "-a", "--no-trunc", "--format", `{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label "${ROOT_LABEL}"}}`], { timeoutMs: 60_000 })
  if (r.exitCode !== 0) throw new Error(`docker ps failed\n${formatResult(r)}`)
  const exact = match.exact ?? []
  const prefixes = (match.prefix ?? []).map((p) => p.replace(/\/$/, "") + "/")
  const found: Array<SandboxContainer> = []
  for (const line of r.stdout.split("\n")) {
    if (line.trim() === "") continue
    const [id = "", name = "", state = "", root = ""] = line.split("\t")
    if (root === "") continue
    if (exact.includes(root) || prefixes.some((p) => root.startsWith(p))) found.push({ id, name, state, root })
  }
  return found
}

export async function makeSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "vm-e2e-")))
  const home = join(root, "home")
  const project = join(root, opts.projectName ?? "project")
  await mkdir(home, { recursive: true })
  await mkdir(project, { recursive: true })
  if (opts.userConfig !== undefined) {
    await mkdir(join(home, ".vm"), { recursive: true })
    await writeFile(join(home, ".vm", "config.yaml"), opts.userConfig)
  }
  if (opts.vmYaml !== undefined) await writeFile(join(project, "vm.yaml"), opts.vmYaml)
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    const path = join(project, rel)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, content)
  }
  if (opts.owner !== undefined) await chownTree(root, opts.owner.uid, opts.owner.gid)
  // setpriv keeps the environment (HOME stays the sandbox's) and takes the owner's supplementary groups (docker)
  const asOwner = (argv: ReadonlyArray<string>): ReadonlyArray<string> =>
    opts.owner === undefined
      ? argv
      : ["setpriv", `--reuid=${opts.owner.uid}`, `--regid=${opts.owner.gid}`, "--init-groups", "--", ...argv]

  const live = new Set<number>()
  let cleaned = false
  const mine = () => containersByRoot({ exact: [project], prefix: [root] })

  return {
    root,
    home,
    project,
    runVm: (args, runOpts = {}) => {
      const [file, ...rest] = asOwner([process.execPath, VM_BIN, ...args])
      return run({
        file: file!,
        args: rest,
        display: ["vm", ...args].map(quoteArg).join(" "),
        cwd: runOpts.cwd ?? project,
        // the tests' runtime directory belongs to the tests' user: the owner's ssh sockets go to /tmp/vm-ssh-<uid>
        env: vmEnv(home, opts.owner === undefined ? runOpts.env : { XDG_RUNTIME_DIR: undefined, ...runOpts.env }),
        input: runOpts.input,
        timeoutMs: runOpts.timeoutMs ?? 300_000,
        track: live
      })
    },
    containers: mine,
    cleanup: async () => {
      if (cleaned) return
      cleaned = true
      for (const pid of live) killGroup(pid, "SIGKILL")
      try {
        const ids = new Set((await mine()).map((c) => c.id))
        // the plain label filter too, in case the --format listing missed something
        const byFilter = await sh("docker", ["ps", "-aq", "--no-trunc", "--filter", `label=${ROOT_LABEL}=${project}`], { timeoutMs: 60_000 })
        for (const id of byFilter.stdout.split(/\s+/)) if (id !== "") ids.add(id)
        if (ids.size > 0) {
          const rmr = await sh("docker", ["rm", "-f", "-v", ...ids], { timeoutMs: 120_000 })
          if (rmr.exitCode !== 0) console.warn(`sandbox cleanup: docker rm failed\n${formatResult(rmr)}`)
        }
      } catch (e) {
        console.warn(`sandbox cleanup: removing containers of ${root} failed: ${String(e)}`)
      }
      try {
        await rm(root, { recursive: true, force: true, maxRetries: 3 })
      } catch (e) {
        console.warn(`sandbox cleanup: could not remove ${root}: ${String(e)}`)
      }
    }
  }
}
