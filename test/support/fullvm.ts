/**
 * The full-VM tier (vitest project `fullvm`, test/fullvm/): real QEMU (TCG) machines through
 * Debian's vagrant-libvirt, loopback-only user-mode networking, the local box
 * vm-local/debian-libvirt (scripts/setup-libvirt.sh, scripts/build-libvirt-box.sh).
 *
 *   const fullvm = await fullVmAvailable()          // CI=true + something missing: throws -> the file fails
 *   describe.runIf(fullvm.ok)("...", () => {
 *     let sb: FullVmSandbox
 *     beforeAll(async () => { sb = await makeFullVmSandbox({ projectName: "fv-x", vmYaml: libvirtVmYaml("fv-x") }) })
 *     afterAll(() => sb?.cleanup())                  // never throws; no libvirt domain of the sandbox survives
 *   })
 *
 * VAGRANT_HOME: every sandbox has its own (`<home>/.vagrant.d`, as the CLI sees it through the fake
 * HOME); the box is added into it offline from the revisioned box catalog (`vagrant box add
 * /var/lib/vm-local/libvirt-box/<rev>/box.json`, ~3 s). A shared VAGRANT_HOME would share Vagrant's
 * machine index (and its lock) between files and with the developer's own machines; the box image in
 * libvirt's storage pool is shared anyway (vagrant-libvirt uploads it once per box version).
 *
 * Domains: vagrant-libvirt names a machine's domain `<basename of the project dir>_<machine>`
 * (characters outside [-a-z0-9_.] dropped); a temp VM's project dir is `~/.vm/temp/<name>`. cleanup()
 * runs `vm destroy --force` (and `vm temp destroy --all`), then removes whatever domain with such a
 * prefix is left with virsh (destroy + undefine --remove-all-storage).
 *
 * Only 127.0.0.0/8 is ever addressed: the machines use QEMU user networking with restrict=on.
 */
import { existsSync, readFileSync } from "node:fs"
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { basename, join } from "node:path"
import { chownTree, formatResult, makeSandbox, type RunResult, type Sandbox, type SandboxOptions, sh } from "./sandbox.js"

/** uid/gid of the `vagrant` user in the libvirt box (scripts/build-libvirt-box.sh). */
const GUEST_UID = 1000

export const LIBVIRT_URI = "qemu:///system"
export const BOX_ROOT = "/var/lib/vm-local/libvirt-box"
export const BOX_NAME = "vm-local/debian-libvirt"
export const SETUP_COMMAND = "CI=true bash scripts/setup-host.sh (or: VM_FULL_VMS=1 bash scripts/setup-host.sh), as root"

export interface LibvirtBox {
  readonly name: string
  readonly rev: string
  /** box.json: the catalog `vagrant box add` takes (file:// URL to box.tar, with its checksum). */
  readonly catalog: string
  readonly kernel: string
  readonly initrd: string
}

export interface FullVm {
  readonly ok: boolean
  readonly missing: ReadonlyArray<string>
  readonly box: LibvirtBox | undefined
}

const failed = (cmd: string, e: unknown): RunResult => ({
  command: cmd,
  stdout: "",
  stderr: e instanceof Error ? e.message : String(e),
  exitCode: -1,
  durationMs: 0
})

/** A command that never rejects (timeouts become exit -1). */
const tryRun = (cmd: string, args: ReadonlyArray<string>, opts: Parameters<typeof sh>[2] = {}): Promise<RunResult> =>
  sh(cmd, args, { timeoutMs: 60_000, ...opts }).catch((e: unknown) => failed(cmd, e))

const firstLine = (s: string) => s.trim().split("\n")[0] ?? ""

/** box.env of the current revision (shell-sourceable KEY='value' lines). */
function readBox(missing: Array<string>): LibvirtBox | undefined {
  const revFile = join(BOX_ROOT, "rev")
  if (!existsSync(revFile)) {
    missing.push(`box ${BOX_NAME} (${revFile} missing)`)
    return undefined
  }
  const rev = readFileSync(revFile, "utf8").trim()
  const envFile = join(BOX_ROOT, rev, "box.env")
  if (!existsSync(envFile)) {
    missing.push(`box ${BOX_NAME} rev ${rev} (${envFile} missing)`)
    return undefined
  }
  const env: Record<string, string> = {}
  for (const line of readFileSync(envFile, "utf8").split("\n")) {
    const m = /^([A-Z_]+)='(.*)'$/.exec(line.trim())
    if (m) env[m[1]!] = m[2]!
  }
  const box: LibvirtBox = {
    name: env["BOX_NAME"] ?? BOX_NAME,
    rev,
    catalog: env["BOX_CATALOG"] ?? join(BOX_ROOT, rev, "box.json"),
    kernel: env["KERNEL"] ?? join(BOX_ROOT, rev, "vmlinuz"),
    initrd: env["INITRD"] ?? join(BOX_ROOT, rev, "initrd.img")
  }
  const files = [box.catalog, box.kernel, box.initrd, env["BOX_FILE"] ?? join(BOX_ROOT, rev, "box.tar")]
  for (const f of files) if (!existsSync(f)) missing.push(`box file ${f}`)
  if (box.name !== BOX_NAME) missing.push(`box name ${box.name} in ${envFile} (the tests use ${BOX_NAME})`)
  return box
}

async function probe(): Promise<FullVm> {
  const missing: Array<string> = []
  const vagrant = await tryRun("vagrant", ["--version"])
  if (vagrant.exitCode !== 0) missing.push(`vagrant (${firstLine(vagrant.stderr) || `exit ${vagrant.exitCode}`})`)
  const qemu = await tryRun("qemu-system-x86_64", ["--version"])
  if (qemu.exitCode !== 0) missing.push(`qemu-system-x86_64 (${firstLine(qemu.stderr) || `exit ${qemu.exitCode}`})`)
  // libvirtd answers (a hung daemon must not hang the probe)
  const caps = await tryRun("virsh", ["-c", LIBVIRT_URI, "capabilities"], { timeoutMs: 30_000 })
  if (caps.exitCode !== 0 || !caps.stdout.includes("<capabilities>")) {
    missing.push(`libvirtd answering on ${LIBVIRT_URI} (virsh capabilities: ${firstLine(caps.stderr) || `exit ${caps.exitCode}`})`)
  }
  const box = readBox(missing)
  if (vagrant.exitCode === 0) {
    // vagrant-libvirt loads in a fresh VAGRANT_HOME (a system plugin, as the sandboxes need it):
    // `vagrant status` of a libvirt machine answers without touching libvirt
    const dir = await mkdtemp(join(tmpdir(), "vm-fullvm-probe-"))
    try {
      await writeFile(join(dir, "Vagrantfile"), 'Vagrant.configure("2") { |c| c.vm.box = "probe"; c.vm.provider(:libvirt) { |lv| lv.driver = "qemu" } }\n')
      const st = await tryRun("vagrant", ["status", "--machine-readable"], {
        cwd: dir,
        env: {
          HOME: dir,
          VAGRANT_HOME: join(dir, ".vagrant.d"),
          VAGRANT_DEFAULT_PROVIDER: "libvirt",
          VAGRANT_CHECKPOINT_DISABLE: "1",
          VAGRANT_CWD: undefined,
          VAGRANT_VAGRANTFILE: undefined,
          VAGRANT_DOTFILE_PATH: undefined
        },
        timeoutMs: 120_000
      })
      if (st.exitCode !== 0 || !/,provider-name,libvirt/.test(st.stdout)) {
        missing.push(`vagrant-libvirt plugin (vagrant status with provider libvirt: ${firstLine(st.stderr) || firstLine(st.stdout) || `exit ${st.exitCode}`})`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  return { ok: missing.length === 0, missing, box }
}

let cached: Promise<FullVm> | undefined
let warned = false

/**
 * Probe once per file. Missing prerequisite: under CI=true throws (the file fails, never a silent
 * skip); otherwise warns "full-VM tier NOT RUN: …" and resolves `{ ok: false }`.
 */
export async function fullVmAvailable(): Promise<FullVm> {
  cached ??= probe()
  const result = await cached
  if (!result.ok) {
    const what = result.missing.join(", ")
    if (process.env["CI"] === "true") throw new Error(`full-VM (libvirt) prerequisites missing: ${what}. Run: ${SETUP_COMMAND}`)
    if (!warned) console.warn(`full-VM tier NOT RUN: ${what}; set up with: ${SETUP_COMMAND}`)
    warned = true
  }
  return result
}

/** vm.yaml of a libvirt project on the local box with loopback-only user networking. */
export const libvirtVmYaml = (
  name: string,
  opts: { readonly memory?: number; readonly cpus?: number; readonly extra?: ReadonlyArray<string> } = {}
): string =>
  [
    "project:",
    `  name: ${name}`,
    "vm:",
    `  box: ${BOX_NAME}`,
    `  memory: ${opts.memory ?? 1024}`,
    `  cpus: ${opts.cpus ?? 2}`,
    "vagrant:",
    "  provider: libvirt",
    "  libvirt:",
    "    networking: user",
    "    isolated: true",
    ...(opts.extra ?? []),
    ""
  ].join("\n")

/** `virsh -c qemu:///system ARGS…` (never rejects; a timeout is exit -1). */
export const virsh = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<RunResult> =>
  tryRun("virsh", ["-c", LIBVIRT_URI, ...args], { timeoutMs })

/** Names of all libvirt domains (any state). */
export async function domainNames(): Promise<ReadonlyArray<string>> {
  const r = await virsh(["list", "--all", "--name"])
  if (r.exitCode !== 0) throw new Error(`virsh list failed\n${formatResult(r)}`)
  return r.stdout.split("\n").map((s) => s.trim()).filter((s) => s !== "")
}

/** vagrant-libvirt's domain-name prefix for machines of a project dir: `<basename>_`. */
export const domainPrefix = (projectDir: string): string => `${basename(projectDir)}_`.replace(/[^-a-z0-9_.]/gi, "")

/** `virsh domstate` of a domain (name or uuid), e.g. "running", "shut off"; undefined when libvirt has no such domain. */
export async function domState(domain: string): Promise<string | undefined> {
  const r = await virsh(["domstate", domain], 30_000)
  if (r.exitCode === 0) return r.stdout.trim()
  if (/failed to get domain|Domain not found/i.test(r.stderr)) return undefined
  throw new Error(`virsh domstate failed\n${formatResult(r)}`)
}

/** Pids of QEMU processes started with `-uuid <uuid>` (how libvirt starts a domain). */
export async function qemuPids(uuid: string): Promise<ReadonlyArray<number>> {
  const pids: Array<number> = []
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let argv: Array<string>
    try {
      argv = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0")
    } catch {
      continue
    }
    if (!/qemu/.test(basename(argv[0] ?? ""))) continue
    const i = argv.indexOf("-uuid")
    if (i >= 0 && argv[i + 1] === uuid) pids.push(Number(entry))
  }
  return pids
}

/** CPU seconds (user + system) a process has used. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  // fields[11], fields[12]: utime, stime (fields 14, 15 of proc(5)), in clock ticks (100 Hz on Linux)
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Share of one host core the domain's QEMU process used over `ms`. */
export async function qemuCpuShare(uuid: string, ms = 1000): Promise<number> {
  const [pid] = await qemuPids(uuid)
  if (pid === undefined) throw new Error(`no qemu process with -uuid ${uuid}`)
  const a = await cpuSeconds(pid)
  await new Promise((r) => setTimeout(r, ms))
  const b = await cpuSeconds(pid)
  return (b - a) / (ms / 1000)
}

/**
 * Makes the guest kernel panic (sysrq `c`): afterwards it spins a host core and answers nothing,
 * but libvirt and Vagrant still say `running`. The trigger is started in the background inside the
 * guest so `vm exec` returns; then waits until the QEMU process burns a core (the panic loop).
 */
export async function panicGuest(sb: Sandbox, uuid: string, instance?: string): Promise<{ trigger: RunResult | undefined; cpuShare: number }> {
  const trigger = await sb.runVm(
    [
      "exec",
      ...(instance === undefined ? [] : ["--instance", instance]),
      "--",
      "sudo",
      "sh",
      "-c",
      "nohup sh -c 'sleep 1; echo c > /proc/sysrq-trigger' >/dev/null 2>&1 &"
    ],
    { timeoutMs: 30_000 }
  ).catch(() => undefined)
  const end = Date.now() + 30_000
  let share = 0
  while (Date.now() < end) {
    share = await qemuCpuShare(uuid, 1000)
    // an idle TCG guest uses a few % of a core; the panic loop all of one
    if (share > 0.75) return { trigger, cpuShare: share }
  }
  throw new Error(
    `the guest did not panic within 30 s (qemu used ${(share * 100).toFixed(0)} % of a core)` +
      (trigger === undefined ? "" : `\n${formatResult(trigger)}`)
  )
}

/** Vagrant as vm runs it for this sandbox (its HOME, so its VAGRANT_HOME). */
export const sandboxVagrantEnv = (home: string): Record<string, string | undefined> => ({
  HOME: home,
  VAGRANT_HOME: join(home, ".vagrant.d"),
  VAGRANT_CHECKPOINT_DISABLE: "1",
  VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
  VAGRANT_NO_COLOR: "1",
  VAGRANT_CWD: undefined,
  VAGRANT_VAGRANTFILE: undefined,
  VAGRANT_DOTFILE_PATH: undefined,
  VAGRANT_DEFAULT_PROVIDER: undefined
})

/** Adds the local libvirt box into `<home>/.vagrant.d` (offline, from the file catalog). */
export async function addBox(home: string, box: LibvirtBox): Promise<void> {
  const r = await tryRun("vagrant", ["box", "add", "--force", box.catalog], { env: sandboxVagrantEnv(home), timeoutMs: 180_000 })
  if (r.exitCode !== 0) throw new Error(`vagrant box add ${box.catalog} failed\n${formatResult(r)}`)
}

export interface FullVmSandbox extends Sandbox {
  readonly box: LibvirtBox
  /** Domains (any state) this sandbox's projects and temp VMs own, by name prefix. */
  domains(): Promise<ReadonlyArray<string>>
  /** Never throws: `vm destroy --force` / `vm temp destroy --all`, then virsh for what is left, then the temp dir. */
  cleanup(): Promise<void>
}

/** Domain-name prefixes of the sandbox: its project dir, and every temp VM under ~/.vm/temp. */
async function sandboxPrefixes(sb: Sandbox, extra: ReadonlyArray<string>): Promise<ReadonlyArray<string>> {
  const temps = await readdir(join(sb.home, ".vm", "temp")).catch(() => [] as Array<string>)
  return [domainPrefix(sb.project), ...temps.map((t) => domainPrefix(join(sb.home, ".vm", "temp", t))), ...extra]
}

/**
 * A sandbox (test/support/sandbox.ts) whose VAGRANT_HOME has the libvirt box, and whose cleanup
 * removes the libvirt domains it created. `extraProjects`: more project dirs (absolute) whose domains
 * belong to this sandbox.
 */
export async function makeFullVmSandbox(
  opts: SandboxOptions & { readonly box?: LibvirtBox; readonly extraProjects?: ReadonlyArray<string> } = {}
): Promise<FullVmSandbox> {
  const box = opts.box ?? (await fullVmAvailable()).box
  if (box === undefined) throw new Error(`full-VM tier: no box (${SETUP_COMMAND})`)
  const sb = await makeSandbox(opts)
  try {
    // 9p in passthrough mode (vagrant-libvirt's default) checks permissions with the host's uids: the
    // guest user (uid 1000) writes the workspace of a checkout that uid owns, as on a one-user laptop
    // (the docker provider instead gives the guest user the host user's ids; see README)
    if (process.getuid?.() === 0) await chownTree(sb.project, GUEST_UID, GUEST_UID)
    await addBox(sb.home, box)
  } catch (e) {
    await sb.cleanup()
    throw e
  }
  const extra = (opts.extraProjects ?? []).map(domainPrefix)
  const domains = async () => {
    const prefixes = await sandboxPrefixes(sb, extra)
    return (await domainNames()).filter((d) => prefixes.some((p) => d.startsWith(p)))
  }
  let cleaned = false
  return {
    ...sb,
    box,
    domains,
    cleanup: async () => {
      if (cleaned) return
      cleaned = true
      const warn = (what: string, e: unknown) => console.warn(`full-VM sandbox cleanup (${sb.root}): ${what}: ${e instanceof Error ? e.message : String(e)}`)
      // 1. the product's own way
      if (existsSync(join(sb.project, "vm.yaml"))) {
        try {
          const list = await sb.runVm(["list", "--json"], { timeoutMs: 120_000 })
          const names = list.exitCode === 0 ? (JSON.parse(list.stdout) as ReadonlyArray<{ name: string; state: string }>) : []
          for (const m of names) {
            if (m.state === "missing") continue
            const r = await sb.runVm(["destroy", "--force", m.name], { timeoutMs: 180_000 })
            if (r.exitCode !== 0) console.warn(`full-VM sandbox cleanup: vm destroy failed\n${formatResult(r)}`)
          }
        } catch (e) {
          warn("vm destroy", e)
        }
      }
      if (existsSync(join(sb.home, ".vm", "temp"))) {
        try {
          const r = await sb.runVm(["temp", "destroy", "--all"], { cwd: sb.root, timeoutMs: 300_000 })
          if (r.exitCode !== 0) console.warn(`full-VM sandbox cleanup: vm temp destroy failed\n${formatResult(r)}`)
        } catch (e) {
          warn("vm temp destroy", e)
        }
      }
      // 2. whatever is left, straight through libvirt
      try {
        for (const name of await domains()) {
          await virsh(["destroy", name], 60_000)
          const u = await virsh(["undefine", name, "--remove-all-storage"], 60_000)
          if (u.exitCode !== 0) console.warn(`full-VM sandbox cleanup: could not remove domain ${name}\n${formatResult(u)}`)
          else console.warn(`full-VM sandbox cleanup: removed leftover domain ${name} with virsh`)
        }
      } catch (e) {
        warn("virsh", e)
      }
      await sb.cleanup()
    }
  }
}
