import * as Schema from "effect/Schema"
import { VAGRANT_PROVIDER_NAMES } from "./providerNames.js"

/** Vagrant providers `vm` can render a Vagrantfile for. */
export const VagrantProviderName = Schema.Literal(...VAGRANT_PROVIDER_NAMES)
export type VagrantProviderName = typeof VagrantProviderName.Type

export const Port = Schema.Int.pipe(Schema.between(1, 65535, { message: () => "must be a port number 1-65535" }))

export const Memory = Schema.Union(
  Schema.Int.pipe(Schema.greaterThanOrEqualTo(128, { message: () => "must be at least 128 (MB) or 'unlimited'" })),
  Schema.Literal("unlimited")
)
export const Cpus = Schema.Union(
  Schema.Int.pipe(Schema.greaterThanOrEqualTo(1, { message: () => "must be at least 1 or 'unlimited'" })),
  Schema.Literal("unlimited")
)

const AbsoluteGuestPath = Schema.String.pipe(
  Schema.filter((s) => s.startsWith("/") && !s.includes("\0") ? undefined : "must be an absolute guest path")
)

const NoNul = Schema.String.pipe(Schema.filter((s) => !s.includes("\0") || "must not contain NUL bytes"))
const EnvValue = Schema.Union(NoNul, Schema.Number, Schema.Boolean)
/** Environment variable names the guest shell can export. */
export const Environment = Schema.Record({
  key: Schema.String.pipe(Schema.pattern(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: () => "not a valid variable name" })),
  value: EnvValue
})

export const SyncedFolder = Schema.Struct({
  source: Schema.String.pipe(Schema.minLength(1)),
  target: AbsoluteGuestPath,
  readonly: Schema.optional(Schema.Boolean)
})
export type SyncedFolder = typeof SyncedFolder.Type

/** A service whose health `vm status` reports: a process name and/or a listening port. */
export const ServiceConfig = Schema.Struct({
  enabled: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  port: Schema.optional(Port),
  host_port: Schema.optional(Port),
  process: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9._+-]+$/))),
  unit: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9@._-]+$/)))
})
export type ServiceConfig = typeof ServiceConfig.Type

export const Provision = Schema.Union(
  Schema.String,
  Schema.Struct({
    inline: Schema.optional(Schema.String),
    path: Schema.optional(Schema.String),
    privileged: Schema.optional(Schema.Boolean)
  })
)

const PortsValue = Schema.Union(Port, Schema.Tuple(Port, Port))
export const Ports = Schema.Record({ key: Schema.String, value: PortsValue }).pipe(
  Schema.filter((ports) => {
    for (const [key, value] of Object.entries(ports)) {
      if (key === "_range") {
        if (!Array.isArray(value)) return { path: [key], message: "must be [first, last]" }
        const [first, last] = value as readonly [number, number]
        if (first > last) return { path: [key], message: "first port is greater than last" }
        if (last - first > 1000) return { path: [key], message: "range is larger than 1000 ports" }
      } else if (Array.isArray(value)) {
        return { path: [key], message: "must be a single port (only _range takes [first, last])" }
      }
    }
    return undefined
  })
)

export const DockerOptions = Schema.Struct({
  image: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  create_args: Schema.optional(Schema.Array(Schema.String))
})
export const VirtualBoxOptions = Schema.Struct({
  linked_clone: Schema.optional(Schema.Boolean),
  name: Schema.optional(Schema.String)
})
const HostPath = Schema.String.pipe(
  Schema.filter((s) => s.startsWith("/") && !s.includes("\0") ? undefined : "must be an absolute host path")
)

export const LibvirtOptions = Schema.Struct({
  driver: Schema.optional(Schema.Literal("kvm", "qemu")),
  uri: Schema.optional(Schema.String),
  /**
   * `user`: one QEMU user-mode NIC and no libvirt network, bridge or dnsmasq; ssh and `ports` are
   * forwarded on the host's loopback (`hostfwd`) to ports vm allocates. Needs no root-owned network
   * (rootless qemu:///session, macOS hosts). `default`: vagrant-libvirt's management network.
   */
  networking: Schema.optional(Schema.Literal("default", "user")),
  /**
   * How synced folders reach the guest: `9p` (virtio 9p, passthrough: guest uids are host uids; needs
   * QEMU allowed to read the folders), `9p-mapped` (ownership kept in xattrs), `virtiofs`, `rsync`, `nfs`.
   * Default: `9p` with `networking: user` (NFS needs a network to the host), else vagrant-libvirt's (nfs).
   */
  synced_folder_type: Schema.optional(Schema.Literal("9p", "9p-mapped", "virtiofs", "rsync", "nfs")),
  /** With `networking: user`: the guest reaches nothing outside itself but its forwarded ports (QEMU `restrict=on`). */
  isolated: Schema.optional(Schema.Boolean),
  /** Direct kernel boot (boxes without a boot loader). */
  kernel: Schema.optional(HostPath),
  initrd: Schema.optional(HostPath),
  cmd_line: Schema.optional(Schema.String),
  graphics_type: Schema.optional(Schema.Literal("vnc", "spice", "none")),
  video_type: Schema.optional(Schema.Literal("cirrus", "vga", "qxl", "virtio", "none"))
})
export const HypervOptions = Schema.Struct({
  vmname: Schema.optional(Schema.String),
  enable_virtualization_extensions: Schema.optional(Schema.Boolean)
})

export const VagrantSection = Schema.Struct({
  provider: Schema.optional(VagrantProviderName),
  docker: Schema.optional(DockerOptions),
  virtualbox: Schema.optional(VirtualBoxOptions),
  libvirt: Schema.optional(LibvirtOptions),
  hyperv: Schema.optional(HypervOptions),
  vmware_desktop: Schema.optional(Schema.Struct({ vmx: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })) })),
  parallels: Schema.optional(Schema.Struct({ name: Schema.optional(Schema.String) })),
  /** Seconds Vagrant waits for the guest to boot. */
  boot_timeout: Schema.optional(Schema.Int.pipe(Schema.positive()))
})

export const ProjectSection = Schema.Struct({
  name: Schema.String.pipe(
    Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, {
      message: () => "must be 1-63 letters, digits, '-' or '_', starting with a letter or digit"
    })
  ),
  hostname: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, { message: () => "not a valid hostname" }))
  ),
  workspace_path: Schema.optionalWith(AbsoluteGuestPath, { default: () => "/workspace" })
})

const UserName = Schema.String.pipe(Schema.pattern(/^[a-z_][a-z0-9_-]*$/, { message: () => "not a valid user name" }))

export const VmSection = Schema.Struct({
  box: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  memory: Schema.optional(Memory),
  cpus: Schema.optional(Cpus),
  /** The guest user `vm ssh`/`vm exec` log in as (Vagrant's `config.ssh.username`); must exist in the box. */
  user: Schema.optional(UserName),
  port_binding: Schema.optional(
    Schema.String.pipe(Schema.pattern(/^(\d{1,3}\.){3}\d{1,3}$|^localhost$/, { message: () => "must be an IPv4 address" }))
  ),
  gui: Schema.optional(Schema.Boolean)
})

/** `vm.yaml`: the project's own configuration. */
export const ProjectConfig = Schema.Struct({
  project: ProjectSection,
  vm: Schema.optionalWith(VmSection, { default: () => ({}) }),
  ports: Schema.optionalWith(Ports, { default: () => ({}) }),
  services: Schema.optionalWith(Schema.Record({ key: Schema.String, value: ServiceConfig }), { default: () => ({}) }),
  environment: Schema.optionalWith(Environment, { default: () => ({}) }),
  provision: Schema.optional(Provision),
  synced_folders: Schema.optionalWith(Schema.Array(SyncedFolder), { default: () => [] }),
  vagrant: Schema.optionalWith(VagrantSection, { default: () => ({}) })
})
export type ProjectConfig = typeof ProjectConfig.Type
export type ProjectConfigInput = typeof ProjectConfig.Encoded

/** `~/.vm/config.yaml`: the user's defaults for every project. */
export const GlobalConfig = Schema.Struct({
  defaults: Schema.optionalWith(
    Schema.Struct({
      provider: Schema.optional(VagrantProviderName),
      memory: Schema.optional(Memory),
      cpus: Schema.optional(Cpus),
      box: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
      user: Schema.optional(UserName)
    }),
    { default: () => ({}) }
  ),
  environment: Schema.optionalWith(Environment, { default: () => ({}) }),
  /** Package registries exported into every guest (npm, pip). */
  registries: Schema.optionalWith(
    Schema.Struct({
      npm: Schema.optional(Schema.String),
      pip: Schema.optional(Schema.String),
      pip_trusted_host: Schema.optional(Schema.String)
    }),
    { default: () => ({}) }
  ),
  synced_folders: Schema.optionalWith(Schema.Array(SyncedFolder), { default: () => [] }),
  docker: Schema.optionalWith(DockerOptions, { default: () => ({}) }),
  /** libvirt settings for every project and temp VM (a project's `vagrant.libvirt` keys win). */
  libvirt: Schema.optional(LibvirtOptions),
  /** Timeouts in seconds for external calls. */
  timeouts: Schema.optionalWith(
    Schema.Struct({
      vagrant_up: Schema.optional(Schema.Number.pipe(Schema.positive())),
      vagrant_query: Schema.optional(Schema.Number.pipe(Schema.positive())),
      ssh: Schema.optional(Schema.Number.pipe(Schema.positive())),
      status: Schema.optional(Schema.Number.pipe(Schema.positive()))
    }),
    { default: () => ({}) }
  ),
  status: Schema.optionalWith(
    Schema.Struct({ cache_seconds: Schema.optional(Schema.Number.pipe(Schema.nonNegative())) }),
    { default: () => ({}) }
  )
})
export type GlobalConfig = typeof GlobalConfig.Type
export type GlobalConfigInput = typeof GlobalConfig.Encoded

export const emptyGlobalConfig: GlobalConfig = Schema.decodeUnknownSync(GlobalConfig)({})
