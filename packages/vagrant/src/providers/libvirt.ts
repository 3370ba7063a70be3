import type { ProjectConfig } from "@vm/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as NodePath from "node:path"
import { DEFAULT_LIBVIRT_URI, VIRSH_CANNOT_CONNECT } from "../hypervisors/Virsh.js"
import { rubyString } from "../ruby.js"
import { forwardedPorts, resolveProviderSettings } from "../render/settings.js"
import { fail, ok } from "../doctor/Check.js"
import { failure, toolCheck } from "./doctorChecks.js"
import type { DoctorEnv, ProviderModule } from "./Provider.js"
import { askVagrantInstead, boxLines, hypervisorDefaults, providerBlock, setting, transitional, uuidId, withValidId } from "./shared.js"

const usesUserNetworking = (config: ProjectConfig) => config.vagrant.libvirt?.networking === "user"
export const libvirtUri = (config: ProjectConfig) => config.vagrant.libvirt?.uri ?? DEFAULT_LIBVIRT_URI

/**
 * vagrant-libvirt asks libvirt for the guest's address (DHCP lease or guest agent). With user-mode
 * networking the only way in is the loopback `hostfwd`, so the address is 127.0.0.1 when the
 * management network is off. Guarded: Vagrant evaluates the Vagrantfile several times per command.
 */
export const LIBVIRT_USER_NETWORK_PATCH = `require "vagrant-libvirt/driver"
module VmToolLibvirtUserNetwork
  def get_ipaddress(domain = nil)
    return "127.0.0.1" unless @machine.provider_config.mgmt_attach
    super
  end
end
unless VagrantPlugins::ProviderLibvirt::Driver.ancestors.include?(VmToolLibvirtUserNetwork)
  VagrantPlugins::ProviderLibvirt::Driver.prepend(VmToolLibvirtUserNetwork)
end
`

/** The QEMU `-netdev user,…` value: ssh and every forwarded port on the host's loopback (or `vm.port_binding`). */
export const userNetdev = (config: ProjectConfig, sshPort: number): string => {
  const hostIp = config.vm.port_binding ?? "127.0.0.1"
  const forwards = [
    `hostfwd=tcp:127.0.0.1:${sshPort}-:22`,
    ...forwardedPorts(config).map(({ port }) => `hostfwd=tcp:${hostIp}:${port}-:${port}`)
  ]
  return ["user", "id=vmnet0", ...(config.vagrant.libvirt?.isolated ? ["restrict=on"] : []), ...forwards].join(",")
}

/**
 * vagrant-libvirt's domain name: `<project directory's basename>_<machine>`, characters outside
 * `[-a-z0-9_.]` dropped (vagrant-libvirt 0.11 action/set_name_of_domain.rb, build_domain_name, with no
 * `default_prefix` and no `random_hostname`, as vm renders it).
 */
export const libvirtDomainName = (projectRoot: string, machine: string): string =>
  `${NodePath.basename(projectRoot)}_${machine}`.replace(/[^-a-z0-9_.]/gi, "")

/** virsh's domain states (virshDomainStateToString) in vagrant-libvirt's spelling: `shut off` → shutoff. */
export const libvirtStates = {
  shutoff: "stopped",
  paused: "suspended",
  pmsuspended: "suspended",
  // Xen-style "blocked on I/O": the domain is alive
  blocked: "running",
  crashed: "broken",
  // domain runs but got no address: ssh is impossible until someone looks at it
  inaccessible: "broken",
  nostate: "unknown",
  ...transitional("preparing", "shutting_down")
} as const

/**
 * libvirt not answering: virsh's "failed to connect to the hypervisor" (testing/fixtures/hostChecks.ts) and
 * vagrant-libvirt's fog_libvirt_connection_error (locales/en.yml: "Error while connecting to Libvirt: …").
 */
export const LIBVIRT_UNREACHABLE = new RegExp(`${VIRSH_CANNOT_CONNECT.source}|Error while connecting to Libvirt`, "i")

/** vagrant-libvirt's default `storage_pool_name`: where machine disks are created. */
const STORAGE_POOL = "default"

const libvirtdFix = (env: DoctorEnv, output: string) => {
  const uri = libvirtUri(env.config)
  if (/permission denied/i.test(output)) return `add your user to the libvirt group: sudo usermod -aG libvirt $USER, then log in again (uri ${uri})`
  const where = uri === DEFAULT_LIBVIRT_URI ? "" : ` (vagrant.libvirt.uri is ${uri})`
  return `start libvirt: sudo systemctl start libvirtd${where} (in this repository: sudo bash scripts/setup-libvirt.sh)`
}

const libvirtDoctor: ProviderModule["doctor"] = {
  plugins: [{ name: "vagrant-libvirt", fix: "vagrant plugin install vagrant-libvirt (Debian/Ubuntu: sudo apt-get install vagrant-libvirt)" }],
  daemonUnreachable: LIBVIRT_UNREACHABLE,
  checks: (env) => [{
    name: "libvirtd",
    fix: "restart libvirt: sudo systemctl restart libvirtd",
    run: toolCheck(
      env.tools.virsh.run(["-c", libvirtUri(env.config), "version", "--daemon"], { timeoutMs: env.timeoutMs, check: false }),
      (r) => {
        const daemon = /^Running against daemon:\s*(\S+)/m.exec(r.stdout)?.[1]
        const hypervisor = /^Running hypervisor:\s*(.+)$/m.exec(r.stdout)?.[1]?.trim()
        return r.exitCode === 0 && daemon !== undefined
          ? ok(`libvirtd ${daemon} at ${libvirtUri(env.config)}${hypervisor ? ` (${hypervisor})` : ""}`)
          : fail(`libvirt at ${libvirtUri(env.config)} does not answer: ${failure(r).replace(/^error:\s*/, "")}`, libvirtdFix(env, r.stderr))
      },
      {
        missing: "install libvirt: Debian/Ubuntu: sudo apt-get install libvirt-clients libvirt-daemon-system qemu-system-x86",
        hang: "libvirtd accepts connections but does not answer: sudo systemctl restart libvirtd"
      }
    )
  }],
  machineDirectory: (env) =>
    env.tools.virsh.run(["-c", libvirtUri(env.config), "pool-dumpxml", STORAGE_POOL], { timeoutMs: env.timeoutMs, check: false }).pipe(
      // no pool yet: vagrant-libvirt creates it under libvirt's default directory
      Effect.map((r) => Option.fromNullable(/<path>([^<]+)<\/path>/.exec(r.stdout)?.[1]))
    )
}

/** vagrant-libvirt/vagrant-libvirt; the machine id is the libvirt domain's UUID. */
export const libvirt: ProviderModule = {
  ...hypervisorDefaults,
  name: "libvirt",
  title: "libvirt (QEMU/KVM through vagrant-libvirt)",
  states: libvirtStates,
  // guest-initiated S3 sleep: the qemu process still holds the RAM
  offState: "shutoff",
  savedStates: ["pmsuspended"],
  machineId: uuidId,
  hostTools: ["virsh"],
  doctor: libvirtDoctor,
  // vagrant-libvirt 0.11 action/halt_domain.rb: halt --force = ACPI shutdown + graceful_halt_timeout
  forcedHaltOnlyAsksGuest: true,
  render: {
    ownsSshPort: usesUserNetworking,
    preamble: (input) => (usesUserNetworking(input.config) ? [LIBVIRT_USER_NETWORK_PATCH] : []),
    knownDebianGuest: () => false,
    // user networking forwards them as hostfwd on the NIC itself
    forwardsPorts: (config) => !usesUserNetworking(config),
    noPortsNote: "user-mode networking: ssh and ports are forwarded by the NIC (hostfwd) in the provider block",
    machineLines: (input, m) => {
      if (!usesUserNetworking(input.config)) return boxLines(input, m)
      if (m.sshPort === null) throw new Error(`libvirt machine ${m.machine} with user networking needs an ssh port`)
      return [
        ...boxLines(input, m),
        "m.ssh.host = '127.0.0.1'",
        `m.ssh.port = ${m.sshPort}`,
        // hostfwd accepts TCP before the guest's sshd runs: a short probe timeout, many probes
        "m.ssh.connect_timeout = 3"
      ]
    },
    block: (input) => {
      const { memory, cpus } = resolveProviderSettings(input.config, input.global)
      const lv = input.config.vagrant.libvirt
      const user = usesUserNetworking(input.config)
      if (user && input.sshPort === null) throw new Error(`libvirt machine ${input.machine} with user networking needs an ssh port`)
      return providerBlock("libvirt", "lv", [
        ...setting("lv", "memory", memory),
        ...setting("lv", "cpus", cpus),
        ...setting("lv", "driver", lv?.driver),
        ...setting("lv", "uri", lv?.uri),
        ...setting("lv", "kernel", lv?.kernel),
        ...setting("lv", "initrd", lv?.initrd),
        ...setting("lv", "cmd_line", lv?.cmd_line),
        ...setting("lv", "graphics_type", lv?.graphics_type),
        ...setting("lv", "video_type", lv?.video_type),
        ...(user
          ? [
            // no libvirt network, no bridge, no dnsmasq: one user-mode NIC
            "lv.mgmt_attach = false",
            // only to pass vagrant-libvirt's "management network required" check; the patch answers the address
            "lv.qemu_use_agent = true",
            "lv.qemuargs value: '-netdev'",
            `lv.qemuargs value: ${rubyString(userNetdev(input.config, input.sshPort!))}`,
            "lv.qemuargs value: '-device'",
            // an explicit PCI slot, clear of the ones libvirt assigns
            "lv.qemuargs value: 'virtio-net-pci,netdev=vmnet0,addr=0x1e'"
          ]
          : [])
      ])
    },
    folderOptions: (config, readonly) => {
      const type = config.vagrant.libvirt?.synced_folder_type ?? (usesUserNetworking(config) ? "9p" : undefined)
      const typed = type === undefined
        ? ""
        : type === "9p"
        ? ", type: '9p', accessmode: 'passthrough'"
        : type === "9p-mapped"
        ? ", type: '9p', accessmode: 'mapped'"
        : `, type: ${rubyString(type)}`
      // 9p: QEMU itself refuses writes (`readonly`), and the guest mounts it ro: vagrant-libvirt's 9p mounter
      // appends `mount_opts` (cap/mount_9p.rb), not the `mount_options` other synced-folder types read
      const ro = !readonly ? "" : type === "9p" || type === "9p-mapped" ? ", readonly: true, mount_opts: 'ro'" : ", mount_options: ['ro']"
      return typed + ro
    }
  },
  queryStates: (env, queries, timeoutMs) =>
    Effect.forEach(queries, (q) =>
      env.tools.virsh.domState(libvirtUri(env.config), q.id, timeoutMs).pipe(
        Effect.map(Option.match({
          onNone: () => ({ machine: q.machine, raw: "not_created", since: null }),
          onSome: (raw) => ({ machine: q.machine, raw, since: null })
        })),
        Effect.catchAll((e) => Effect.map(askVagrantInstead([q])(e), (a) => a[0]))
      ), { concurrency: "unbounded" }),
  orphans: {
    find: (env, { machine, projectRoot }, timeoutMs) =>
      env.tools.virsh.domUuid(libvirtUri(env.config), libvirtDomainName(projectRoot, machine), timeoutMs),
    remove: (env, id, timeoutMs) =>
      withValidId(libvirt, id, (uuid) =>
        Effect.zipRight(
          // a running domain cannot be undefined with its storage; one that is off makes destroy fail harmlessly
          Effect.ignore(env.tools.virsh.destroy(libvirtUri(env.config), uuid, timeoutMs)),
          env.tools.virsh.undefine(libvirtUri(env.config), uuid, timeoutMs)
        )),
    manualRemoval: (env, id) =>
      `virsh -c ${libvirtUri(env.config)} destroy ${id}; virsh -c ${libvirtUri(env.config)} undefine ${id} --remove-all-storage`
  },
  hardStop: (env, id) => {
    const uri = libvirtUri(env.config)
    return {
      command: () => `virsh -c ${uri} destroy ${id}`,
      query: (timeoutMs) =>
        withValidId(libvirt, id, (uuid) => Effect.map(env.tools.virsh.domState(uri, uuid, timeoutMs), Option.getOrElse(() => "not_created"))),
      stop: (timeoutMs) => withValidId(libvirt, id, (uuid) => env.tools.virsh.destroy(uri, uuid, timeoutMs)),
      // libvirt starts qemu with `-uuid <domain uuid>`; needed when libvirtd itself hangs
      process: { programs: ["qemu-system-x86_64", "qemu-system-aarch64", "qemu-system-i386", "qemu-kvm"], flag: "-uuid", value: id }
    }
  }
}
