import type * as FileSystem from "@effect/platform/FileSystem"
import type {
  CommandTimeout,
  ConfigInvalid,
  GlobalConfig,
  ProjectConfig,
  ProjectContextShape,
  VagrantProviderName,
  VmError,
  VmState
} from "@vm/core"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { DoctorCheck } from "../doctor/Check.js"
import type { DockerCliShape } from "../hypervisors/DockerCli.js"
import type { HostToolsShape, HostUser } from "../hypervisors/HostTools.js"
import type { VmProcessPattern } from "../hypervisors/HostProcesses.js"
import type { HyperVShape } from "../hypervisors/HyperV.js"
import type { PrlctlShape } from "../hypervisors/Prlctl.js"
import type { VBoxManageShape } from "../hypervisors/VBoxManage.js"
import type { VirshShape } from "../hypervisors/Virsh.js"
import type { VmrunShape } from "../hypervisors/Vmrun.js"
import type { MachineRenderInput, RenderInput, RenderMachine } from "../render/types.js"

/**
 * Everything `vm` knows about one Vagrant provider, in one module (as Vagrant keeps
 * `plugins/providers/<name>/` and Lima `pkg/driver/<name>/`). Generic code asks the module; it never
 * branches on a provider's name. Adding a provider = one module + one line in registry.ts.
 */
export interface ProviderModule {
  readonly name: VagrantProviderName
  /** Human name, e.g. "VirtualBox". */
  readonly title: string

  // --- states ---------------------------------------------------------------------------
  /** Raw state id (canonical: lower case, `_` for `-` and spaces) → vm's state. */
  readonly states: Readonly<Record<string, VmState>>
  /** States no table can list (Hyper-V's `*critical`), else undefined. */
  readonly classify?: (canonicalId: string) => VmState | undefined
  /** The raw state Vagrant reports for a machine that was halted (poweroff, not_running, off, shutoff, stopped). */
  readonly offState: string
  /** Raw states whose saved memory image a power-off throws away. */
  readonly savedStates: ReadonlyArray<string>
  /** The id Vagrant stores in `machines/<m>/<provider>/id`. */
  readonly machineId: {
    readonly valid: (id: string) => boolean
    readonly expected: string
    /** An id of this format built from 32 random hex digits (fakes, examples). */
    readonly sample: (machine: string, hex: string) => string
  }

  // --- the guest ---------------------------------------------------------------------------
  /** The guest shares the host's kernel (a container): metrics read cgroup limits. */
  readonly guestIsContainer: boolean
  /** Guest ports are host ports (host networking): services are reachable on their own port. */
  readonly guestPortsAreHostPorts: boolean
  /** Host programs the provider needs; one of them on PATH means the provider is installed (`vm doctor` without vm.yaml). */
  readonly hostTools: ReadonlyArray<string>
  /** What `vm doctor` checks for this provider. */
  readonly doctor: ProviderDoctor

  // --- rendering (pure) --------------------------------------------------------------------
  readonly render: ProviderRender

  // --- applying changes ----------------------------------------------------------------------
  /** How a change of synced folders, memory, cpus or hostname reaches a machine: reload re-applies it, or it was fixed at creation. */
  readonly hardwareChange: "reload" | "recreate"
  /** What identifies the machine's base in the plan: the box, or the docker image with its create args. */
  readonly base: (config: ProjectConfig, global: GlobalConfig, dockerImageDefault: string, hostUser: HostUser | null) => PlanBase
  /** Why a temp mount's paths cannot be expressed to this provider, if they cannot. */
  readonly mountPathProblem?: (source: string, target: string) => string | undefined
  /** Mounts added/removed on a running machine without a reboot, where the hypervisor can. */
  readonly liveMounts?: LiveMounts

  // --- the machine at run time ---------------------------------------------------------------
  /** The machine's raw state straight from the hypervisor (ms instead of a Vagrant start-up), where possible. */
  readonly queryStates?: (
    env: ProviderEnv,
    queries: ReadonlyArray<{ readonly machine: string; readonly id: string }>,
    timeoutMs: number
  ) => Effect.Effect<ReadonlyArray<StateAnswer | undefined>, CommandTimeout>
  /** Power-off without Vagrant, addressed by the real id (vm kill's second rung). */
  readonly hardStop?: (env: ProviderEnv, id: string) => HardStop
  /**
   * `vagrant halt --force` only asks the guest to shut down (vagrant-libvirt sends ACPI and waits):
   * it cannot stop a hung guest, so vm kill goes straight to the hard stop and gives it that time.
   */
  readonly forcedHaltOnlyAsksGuest?: boolean
  /** A failure of `vagrant up`/`reload` that a race outside vm caused and one retry clears (the error's output tail). */
  readonly transientBootFailure?: (output: string) => boolean
  /** Removes the machine faster than `vagrant destroy` before a recreate (the next `up` recreates it). */
  readonly discard?: (env: ProviderEnv, id: string, timeoutMs: number) => Effect.Effect<unknown, VmError>
  /**
   * A machine of this project that the hypervisor still has although its Vagrant data directory
   * (`.vm/vagrant`) was lost, found by the name the provider gives it; and how to remove it.
   */
  readonly orphans?: {
    readonly find: (env: ProviderEnv, where: { readonly projectRoot: string; readonly machine: string }, timeoutMs: number) => Effect.Effect<Option.Option<string>, VmError>
    readonly remove: (env: ProviderEnv, id: string, timeoutMs: number) => Effect.Effect<unknown, VmError>
    /** What a person would run to remove it by hand. */
    readonly manualRemoval: (env: ProviderEnv, id: string) => string
  }
  /** The machine's own log, where the hypervisor keeps one (else vm reads the guest's journal over ssh). */
  readonly hostLogs?: (
    env: ProviderEnv,
    id: string,
    options: { readonly tail: number; readonly follow: boolean; readonly timeoutMs: number }
  ) => Effect.Effect<unknown, VmError>
}

/** What the provider needs on the host, as `vm doctor` checks it (Vagrant itself, ssh and disks are checked for all). */
export interface ProviderDoctor {
  /** Its own checks (named without the provider; they run in parallel with the rest): its tool or daemon answering, a local base image. */
  readonly checks: (env: DoctorEnv) => ReadonlyArray<DoctorCheck>
  /** Vagrant plugins it needs, each with how to install it (built-in providers need none). */
  readonly plugins: ReadonlyArray<{ readonly name: string; readonly fix: string }>
  /** Where it keeps machines' disks, for the free-space check (None: it does not say). */
  readonly machineDirectory?: (env: DoctorEnv) => Effect.Effect<Option.Option<string>, VmError>
  /** Output of a failed command meaning its daemon does not answer: such errors then point to `vm doctor`. */
  readonly daemonUnreachable?: RegExp
}

/** What a provider's doctor checks run with. */
export interface DoctorEnv extends ProviderEnv {
  readonly host: HostToolsShape
  readonly global: GlobalConfig
  /** The environment vm and the tools it starts run with (DOCKER_HOST, VAGRANT_HOME, …). */
  readonly environment: Readonly<Record<string, string | undefined>>
  /** Each tool call's limit. */
  readonly timeoutMs: number
}

export interface PlanBase {
  readonly box: string | null
  readonly image: string | null
  readonly createArgs: ReadonlyArray<string>
  /** `uid:gid` the provider gives the guest user when it creates the machine; absent: the image's/box's own. */
  readonly guestUser?: string
}

export interface ProviderRender {
  /** vm allocates a loopback port for this machine's ssh (host-network containers, user-mode NICs). */
  readonly ownsSshPort: (config: ProjectConfig) => boolean
  /** Ruby before `Vagrant.configure` (provider patches); each guarded against repeated evaluation. */
  readonly preamble: (input: RenderInput) => ReadonlyArray<string>
  /** The guest is known to be Debian (skips Vagrant's guest detection over ssh). */
  readonly knownDebianGuest: (input: RenderInput) => boolean
  /** `ports:` become `config.vm.network :forwarded_port` lines (else the module forwards them itself, or needs none). */
  readonly forwardsPorts: (config: ProjectConfig) => boolean
  /** Why there are no forwarded ports, as a comment in the Vagrantfile (when forwardsPorts is false). */
  readonly noPortsNote?: string
  /** Lines of the machine's define block before its provider block (box, ssh address). */
  readonly machineLines: (input: RenderInput, machine: RenderMachine) => ReadonlyArray<string>
  /** The `m.vm.provider :<name>` block. */
  readonly block: (input: MachineRenderInput) => ReadonlyArray<string>
  /** Options appended to a `config.vm.synced_folder` line (the folder type, how read-only is spelled). */
  readonly folderOptions: (config: ProjectConfig, readonly: boolean) => string
  /** A config this provider cannot boot, named by file and key, before anything is written. */
  readonly configProblem?: (ctx: ProjectContextShape, globalFile: string) => ConfigInvalid | undefined
}

export interface LiveMounts {
  /** Can the live path run on this host right now (the tool is installed)? */
  readonly available: (env: ProviderEnv) => Effect.Effect<boolean>
}

/** The hypervisor CLIs a module drives, each one typed service over the one process runner. */
export interface ProviderTools {
  readonly docker: DockerCliShape
  readonly vbox: VBoxManageShape
  readonly vmrun: VmrunShape
  readonly hyperv: HyperVShape
  readonly virsh: VirshShape
  readonly prlctl: PrlctlShape
  readonly fs: FileSystem.FileSystem
}

/** What a module's effects run with: the tools and the project's configuration. */
export interface ProviderEnv {
  readonly tools: ProviderTools
  readonly config: ProjectConfig
}

export interface StateAnswer {
  readonly machine: string
  /** Raw state in Vagrant's spelling for this provider. */
  readonly raw: string
  /** When the machine last started or changed state (cache keys), where the hypervisor says. */
  readonly since: string | null
}

/** One provider's way to power a machine off without Vagrant, by its real id. */
export interface HardStop {
  /** Readable form of the stop for reports; `before` is the state read before the ladder started. */
  readonly command: (before: string | undefined) => string
  /** The machine's state, spelled as Vagrant's provider spells it. */
  readonly query: (timeoutMs: number) => Effect.Effect<string, VmError>
  readonly stop: (timeoutMs: number, before: string | undefined) => Effect.Effect<unknown, VmError>
  /** The hypervisor's per-VM process, ended when the stop itself hangs or fails. */
  readonly process?: VmProcessPattern
}
