import { FileSystem } from "@effect/platform"
import { InvalidInput, type VmError } from "@vm/core/errors"
import { Effect, Option } from "effect"
import * as NodePath from "node:path"
import type { DockerCliShape } from "../hypervisors/DockerCli.js"
import type { VmProcessPattern } from "../hypervisors/HostProcesses.js"
import type { HyperVShape } from "../hypervisors/HyperV.js"
import type { PrlctlShape } from "../hypervisors/Prlctl.js"
import type { VBoxManageShape } from "../hypervisors/VBoxManage.js"
import type { VirshShape } from "../hypervisors/Virsh.js"
import type { VmrunShape } from "../hypervisors/Vmrun.js"
import { normalizeState } from "../states.js"

/** One provider's way to power a machine off without Vagrant, by its real id. */
export interface HardStop {
  /** Readable form of the stop for reports; `before` is the state read before the ladder started. */
  readonly command: (before: string | undefined) => string
  /** The machine's state, spelled as Vagrant's provider spells it (so normalizeState understands it). */
  readonly query: (timeoutMs: number) => Effect.Effect<string, VmError>
  readonly stop: (timeoutMs: number, before: string | undefined) => Effect.Effect<unknown, VmError>
  /** The hypervisor's per-VM process, ended when the stop itself hangs or fails. */
  readonly process?: VmProcessPattern
}

export interface HypervisorTools {
  readonly docker: DockerCliShape
  readonly vbox: VBoxManageShape
  readonly vmrun: VmrunShape
  readonly hyperv: HyperVShape
  readonly virsh: VirshShape
  readonly prlctl: PrlctlShape
  readonly fs: FileSystem.FileSystem
}

export interface HardStopOptions {
  /** libvirt connection URI (vm.yaml `vagrant.libvirt.uri`, else qemu:///system). */
  readonly libvirtUri: string
}

/** States whose saved memory image a power-off throws away, per provider (vagrant-facts §1.2, §4.2). */
const SAVED_STATES: Readonly<Record<string, ReadonlyArray<string>>> = {
  virtualbox: ["saved", "aborted-saved", "aborted_saved"],
  vmware_desktop: ["suspended"],
  hyperv: ["saved", "fastsaved"],
  parallels: ["suspended"],
  // guest-initiated S3 sleep: the qemu process still holds the RAM
  libvirt: ["pmsuspended"]
}

export const isSavedState = (provider: string, raw: string) => (SAVED_STATES[provider] ?? []).includes(raw.toLowerCase())

/** Raw ids that mean "powered off" for providers `normalizeState` does not know (plugins). */
const GENERIC_OFF = new Set(["poweroff", "powered_off", "stopped", "shutoff", "off", "not_running", "aborted", "halted"])

/** Off = nothing of the machine runs any more (never created counts: there is nothing to stop). */
export const isOff = (provider: string, raw: string) => {
  const state = normalizeState(provider, raw)
  return state === "stopped" || state === "missing" || (state === "unknown" && GENERIC_OFF.has(raw.toLowerCase()))
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const check = (ok: boolean, provider: string, id: string, expected: string) =>
  ok
    ? Effect.succeed(id)
    : Effect.fail(new InvalidInput({ what: `${provider} machine id`, reason: `'${id}' is not ${expected}; is the id file corrupt?` }))

const validId = (provider: string, id: string) => {
  switch (provider) {
    case "docker":
      return check(/^[0-9a-f]{12,64}$/.test(id), provider, id, "a container id")
    case "vmware_desktop":
      return check(id.endsWith(".vmx") && (NodePath.isAbsolute(id) || NodePath.win32.isAbsolute(id)), provider, id, "an absolute .vmx path")
    case "parallels":
      return check(UUID.test(id.replace(/^\{(.*)\}$/, "$1")), provider, id, "a VM uuid")
    default:
      return check(UUID.test(id), provider, id, "a VM uuid")
  }
}

/** `docker inspect` status → the docker provider's ids; a vanished container is `not_created`. */
const dockerState = (status: string) =>
  ["running", "paused", "restarting"].includes(status) ? "running" : status === "" ? "unknown" : "stopped"

const short = (id: string) => (id.length > 16 ? `${id.slice(0, 12)}…` : id)

/** The hard stop for a detected provider, addressed by its real id; none for providers we do not know. */
export const hardStopFor = (
  provider: string,
  id: string,
  tools: HypervisorTools,
  options: HardStopOptions
): Option.Option<HardStop> => {
  const valid = validId(provider, id)
  const isSaved = (before: string | undefined) => before !== undefined && isSavedState(provider, before)
  const withId = <A>(f: (id: string) => Effect.Effect<A, VmError>) => Effect.flatMap(valid, f)
  switch (provider) {
    case "docker":
      return Option.some({
        command: () => `docker kill ${short(id)}`,
        query: (timeoutMs) =>
          withId((cid) =>
            tools.docker.run(["inspect", "--format", "{{.State.Status}}", cid], { timeoutMs, check: false }).pipe(
              Effect.flatMap((r) =>
                r.exitCode === 0
                  ? Effect.succeed(dockerState(r.stdout.trim()))
                  : /no such/i.test(r.stderr)
                  ? Effect.succeed("not_created")
                  : Effect.fail(new InvalidInput({ what: "docker inspect", reason: r.stderr.trim() || `exit ${r.exitCode}` }))
              )
            )
          ),
        stop: (timeoutMs) => withId((cid) => tools.docker.run(["kill", cid], { timeoutMs }))
      })
    case "virtualbox":
      return Option.some({
        command: (before) =>
          isSaved(before) ? `VBoxManage discardstate ${id}` : `VBoxManage controlvm ${id} poweroff`,
        query: (timeoutMs) => withId((uuid) => tools.vbox.vmState(uuid, timeoutMs)),
        // a saved VM has no process to power off: dropping its saved state is what turns it off
        stop: (timeoutMs, before) =>
          withId((uuid) => isSaved(before) ? tools.vbox.discardState(uuid, timeoutMs) : tools.vbox.powerOff(uuid, timeoutMs)),
        // started as `VBoxHeadless --comment <name> --startvm <uuid> --vrde config` (GUI: VirtualBoxVM)
        process: { programs: ["VBoxHeadless", "VirtualBoxVM", "VirtualBox"], flag: "--startvm", value: id }
      })
    case "vmware_desktop":
      return Option.some({
        command: () => `vmrun stop ${id} hard`,
        query: (timeoutMs) =>
          withId((vmx) =>
            Effect.gen(function*() {
              const running = yield* tools.vmrun.listRunning(timeoutMs)
              if (running.some((p) => p.toLowerCase() === vmx.toLowerCase())) return "running"
              // vagrant-vmware-desktop's own rule: a .vmss file next to the vmx means suspended
              const files = yield* tools.fs.readDirectory(NodePath.dirname(vmx)).pipe(Effect.orElseSucceed(() => []))
              return files.some((f) => f.endsWith(".vmss")) ? "suspended" : "not_running"
            })
          ),
        stop: (timeoutMs) => withId((vmx) => tools.vmrun.stopHard(vmx, timeoutMs))
      })
    case "hyperv":
      return Option.some({
        command: () => `Stop-VM -TurnOff -Force (VM ${id})`,
        query: (timeoutMs) => withId((guid) => tools.hyperv.vmState(guid, timeoutMs)),
        stop: (timeoutMs) => withId((guid) => tools.hyperv.turnOff(guid, timeoutMs))
      })
    case "libvirt":
      return Option.some({
        command: () => `virsh -c ${options.libvirtUri} destroy ${id}`,
        query: (timeoutMs) => withId((uuid) => tools.virsh.domState(options.libvirtUri, uuid, timeoutMs)),
        stop: (timeoutMs) => withId((uuid) => tools.virsh.destroy(options.libvirtUri, uuid, timeoutMs)),
        // libvirt starts qemu with `-uuid <domain uuid>`; needed when libvirtd itself hangs
        process: { programs: ["qemu-system-x86_64", "qemu-system-aarch64", "qemu-system-i386", "qemu-kvm"], flag: "-uuid", value: id }
      })
    case "parallels":
      return Option.some({
        command: () => `prlctl stop ${id} --kill`,
        query: (timeoutMs) => withId((uuid) => tools.prlctl.status(uuid, timeoutMs)),
        stop: (timeoutMs) => withId((uuid) => tools.prlctl.stopKill(uuid, timeoutMs))
      })
    default:
      return Option.none()
  }
}
