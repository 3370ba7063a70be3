import type { GlobalConfig, ProjectConfig, VagrantProviderName } from "@vm/core/config/schema"
import { rubyString, rubyValue } from "../ruby.js"
import { containerName, instanceVmName, resolveDockerImage, resolveProviderSettings, userDockerCreateArgs } from "./settings.js"

export interface ProviderBlockInput {
  readonly provider: VagrantProviderName
  readonly projectRoot: string
  readonly config: ProjectConfig
  readonly global: GlobalConfig
  readonly dockerImageDefault: string
  readonly instance: string
  readonly machine: string
  readonly sshPort: number | null
}

const set = (v: string, key: string, value: string | number | boolean | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : [`${v}.${key} = ${rubyValue(value)}`]

const block = (provider: string, v: string, body: ReadonlyArray<string>): ReadonlyArray<string> => [
  `m.vm.provider :${provider} do |${v}|`,
  ...body.map((line) => `  ${line}`),
  "end"
]

const dockerBody = (input: ProviderBlockInput, memory: number | undefined, cpus: number | undefined) => {
  if (input.sshPort === null) throw new Error(`docker machine ${input.machine} needs an ssh port`)
  const createArgs = [
    "--network=host",
    "--label", `dev.vm.root=${input.projectRoot}`,
    "--label", `dev.vm.machine=${input.machine}`,
    ...(memory === undefined ? [] : [`--memory=${memory}m`]),
    ...(cpus === undefined ? [] : [`--cpus=${cpus}`]),
    ...userDockerCreateArgs(input.config, input.global)
  ]
  return [
    `d.image = ${rubyString(resolveDockerImage(input.config, input.global, input.dockerImageDefault))}`,
    "d.has_ssh = true",
    `d.name = ${rubyString(containerName(input.config.project.name, input.machine, input.projectRoot))}`,
    `d.create_args = ${rubyValue(createArgs)}`,
    // read by the image's sshd wrapper: each machine listens on its own loopback port
    `d.env = ${rubyValue({ SSH_PORT: String(input.sshPort) })}`
  ]
}

/** The `m.vm.provider` block for the selected provider only. */
export const providerBlock = (input: ProviderBlockInput): ReadonlyArray<string> => {
  const { memory, cpus, gui } = resolveProviderSettings(input.config, input.global)
  const vagrant = input.config.vagrant
  const vmName = (name: string | undefined) => (name === undefined ? undefined : instanceVmName(name, input.instance))
  switch (input.provider) {
    case "virtualbox":
      return block("virtualbox", "vb", [
        ...set("vb", "memory", memory),
        ...set("vb", "cpus", cpus),
        ...set("vb", "gui", gui),
        ...set("vb", "name", vmName(vagrant.virtualbox?.name)),
        ...set("vb", "linked_clone", vagrant.virtualbox?.linked_clone)
      ])
    case "vmware_desktop": {
      // vmx values are strings; the user's vmx map comes last and wins
      const vmx: Record<string, string> = {
        ...(memory === undefined ? {} : { memsize: String(memory) }),
        ...(cpus === undefined ? {} : { numvcpus: String(cpus) }),
        ...vagrant.vmware_desktop?.vmx
      }
      return block("vmware_desktop", "v", [
        ...set("v", "gui", gui),
        ...Object.entries(vmx).map(([k, x]) => `v.vmx[${rubyString(k)}] = ${rubyString(x)}`)
      ])
    }
    case "hyperv":
      return block("hyperv", "h", [
        ...set("h", "memory", memory),
        ...set("h", "cpus", cpus),
        ...set("h", "vmname", vmName(vagrant.hyperv?.vmname)),
        ...set("h", "enable_virtualization_extensions", vagrant.hyperv?.enable_virtualization_extensions)
      ])
    case "libvirt":
      return block("libvirt", "lv", [
        ...set("lv", "memory", memory),
        ...set("lv", "cpus", cpus),
        ...set("lv", "driver", vagrant.libvirt?.driver),
        ...set("lv", "uri", vagrant.libvirt?.uri)
      ])
    case "parallels":
      return block("parallels", "prl", [
        ...set("prl", "memory", memory),
        ...set("prl", "cpus", cpus),
        ...set("prl", "name", vmName(vagrant.parallels?.name))
      ])
    case "docker":
      return block("docker", "d", dockerBody(input, memory, cpus))
  }
}
