import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { HostDiskShape } from "../hypervisors/HostDisk.js"
import { shellJoin } from "../shell.js"
import { controlDirFix, type SshClientShape } from "../SshClient.js"
import type { VagrantError } from "../VagrantRunner.js"
import { type CheckOutcome, type DoctorCheck, fail, firstLine, ok, warn } from "./Check.js"
import { compareVersions, MIN_VAGRANT_VERSION, parseVagrantVersion, type VagrantBox, type VagrantPlugin } from "./vagrantFacts.js"

const INSTALL_VAGRANT = "install Vagrant: Debian/Ubuntu: sudo apt-get install --no-install-recommends vagrant; " +
  "elsewhere https://developer.hashicorp.com/vagrant/install"

/** The check every other Vagrant check waits for. */
export const VAGRANT_CHECK = "vagrant"

/** A Vagrant call's failure as a check outcome: not installed, hung, or what it printed. */
const vagrantFailure = (e: VagrantError): CheckOutcome =>
  e._tag === "VagrantNotInstalled"
    ? fail("Vagrant is not installed or not on PATH", INSTALL_VAGRANT)
    : e._tag === "CommandTimeout"
    ? fail(`\`${e.command.join(" ")}\` did not answer within ${e.timeoutMs / 1000} s`, "find out what blocks Vagrant: VAGRANT_LOG=debug vagrant --version")
    : fail(`\`${e.command.join(" ")}\`: ${firstLine(e.stderrTail) || `exit ${e.exitCode}`}`, `reinstall Vagrant (${INSTALL_VAGRANT})`)

export const vagrantCheck = (version: Effect.Effect<string, VagrantError>): DoctorCheck => ({
  name: VAGRANT_CHECK,
  fix: INSTALL_VAGRANT,
  run: version.pipe(
    Effect.map((stdout) => {
      const found = parseVagrantVersion(stdout)
      if (found === undefined) return fail(`\`vagrant --version\` printed no version: ${firstLine(stdout)}`, INSTALL_VAGRANT)
      return compareVersions(found, MIN_VAGRANT_VERSION) < 0
        ? fail(`Vagrant ${found} is older than ${MIN_VAGRANT_VERSION}, the oldest vm supports`, `upgrade Vagrant (${INSTALL_VAGRANT})`)
        : ok(`Vagrant ${found} (minimum ${MIN_VAGRANT_VERSION})`)
    }),
    Effect.catchAll((e) => Effect.succeed(vagrantFailure(e)))
  )
})

/** A Vagrant plugin a provider needs. */
export const pluginCheck = (
  provider: string,
  plugin: { readonly name: string; readonly fix: string },
  plugins: Effect.Effect<ReadonlyArray<VagrantPlugin>, VagrantError>
): DoctorCheck => ({
  name: `plugin ${plugin.name}`,
  provider,
  after: [VAGRANT_CHECK],
  fix: plugin.fix,
  run: plugins.pipe(
    Effect.map((all) => {
      const found = all.find((p) => p.name === plugin.name)
      return found === undefined
        ? fail(`the Vagrant plugin ${plugin.name} is not installed`, plugin.fix)
        : ok(`${found.name} ${found.version}`)
    }),
    Effect.catchAll((e) => Effect.succeed(vagrantFailure(e)))
  )
})

/** The box a box-based provider boots from: Vagrant downloads a missing one on the first `vagrant up`. */
export const boxCheck = (
  provider: string,
  box: string,
  boxes: Effect.Effect<ReadonlyArray<VagrantBox>, VagrantError>
): DoctorCheck => {
  const add = shellJoin(["vagrant", "box", "add", box, "--provider", provider])
  return {
    name: `box ${box}`,
    provider,
    after: [VAGRANT_CHECK],
    fix: add,
    run: boxes.pipe(
      Effect.map((all) => {
        const found = all.filter((b) => b.name === box && b.provider === provider)
        return found.length === 0
          ? warn(`the box ${box} is not added for ${provider}; Vagrant downloads it at the first \`vm create\``, add)
          : ok(`${box} (${provider} ${found.map((b) => b.version).join(", ")})`)
      }),
      Effect.catchAll((e) => Effect.succeed(vagrantFailure(e)))
    )
  }
}

const INSTALL_SSH = "install the OpenSSH client: Debian/Ubuntu: sudo apt-get install openssh-client"

export const sshClientCheck = (ssh: SshClientShape, timeoutMs: number): DoctorCheck => ({
  name: "ssh client",
  fix: INSTALL_SSH,
  run: ssh.version(timeoutMs).pipe(
    Effect.map((line) => ok(line)),
    Effect.catchTag("ToolNotInstalled", () => Effect.succeed(fail("'ssh' is not installed or not on PATH", INSTALL_SSH)))
  )
})

export const controlDirCheck = (ssh: SshClientShape): DoctorCheck => ({
  name: "ssh control directory",
  fix: "check the directory named above",
  run: Effect.map(ssh.controlDir, (state) =>
    state.problem !== undefined
      ? fail(`${state.dir} ${state.problem}`, controlDirFix(state.dir))
      : state.missing
      ? ok(`${state.dir} (not made yet; the first ssh connection makes it, mode 700)`)
      : ok(`${state.dir} (yours, mode 700)`))
})

/** Below this, creating a machine fails for lack of space: a box, a disk image or a container layer are this size. */
export const DISK_FAIL_BYTES = 2 * 1024 ** 3
/** Below this, a machine or two more fill the disk. */
export const DISK_WARN_BYTES = 10 * 1024 ** 3

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`

/** Free space where `what` lives, the directory given by `where` (None: nothing to measure). */
export const diskCheck = (
  disk: HostDiskShape,
  spec: {
    readonly name: string
    readonly provider?: string
    readonly after?: ReadonlyArray<string>
    readonly what: string
    readonly where: Effect.Effect<Option.Option<string>, { readonly message: string }>
  }
): DoctorCheck => ({
  name: spec.name,
  ...(spec.provider === undefined ? {} : { provider: spec.provider }),
  ...(spec.after === undefined ? {} : { after: spec.after }),
  fix: "free disk space",
  run: Effect.gen(function*() {
    const dir = yield* spec.where
    if (Option.isNone(dir)) return ok(`${spec.what}: not on this host's disks`)
    const space = yield* disk.space(dir.value)
    if (Option.isNone(space)) return warn(`${spec.what} (${dir.value}): free space cannot be measured`, "check it with: df -h")
    const { freeBytes, path, totalBytes } = space.value
    const detail = `${gb(freeBytes)} free of ${gb(totalBytes)} at ${path}`
    const fix = `free disk space on the filesystem of ${path} (\`vm destroy\` machines you no longer need)`
    return freeBytes < DISK_FAIL_BYTES ? fail(detail, fix) : freeBytes < DISK_WARN_BYTES ? warn(detail, fix) : ok(detail)
  })
})
