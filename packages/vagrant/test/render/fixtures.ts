import { GlobalConfig, type GlobalConfigInput, ProjectConfig, type ProjectConfigInput, type VagrantProviderName } from "@vm/core/config/schema"
import { Schema } from "effect"
import { FAKE_HOST_USER } from "../../src/hypervisors/HostTools.js"
import type { RenderInput, RenderMachine } from "../../src/render/Vagrantfile.js"

export const PROVIDERS: ReadonlyArray<VagrantProviderName> = [
  "virtualbox", "vmware_desktop", "hyperv", "libvirt", "parallels", "docker"
]
export const DEFAULT_IMAGE = "vm-local/debian:bookworm"

export const project = (input: Partial<ProjectConfigInput> = {}): ProjectConfig =>
  Schema.decodeUnknownSync(ProjectConfig)({ project: { name: "demo" }, ...input })

export const globalConfig = (input: GlobalConfigInput = {}): GlobalConfig => Schema.decodeUnknownSync(GlobalConfig)(input)

export const machine = (instance: string, sshPort: number | null, hostname = instance): RenderMachine => ({
  instance,
  machine: `${instance}-vm`,
  sshPort,
  hostname
})

export const renderInput = (provider: VagrantProviderName, overrides: Partial<RenderInput> = {}): RenderInput => ({
  projectRoot: "/home/u/demo",
  provider,
  config: project(),
  global: globalConfig(),
  machines: [machine("dev", provider === "docker" ? 22901 : null)],
  extraSyncedFolders: [],
  dockerImageDefault: DEFAULT_IMAGE,
  hostUser: FAKE_HOST_USER,
  ...overrides
})

/** Lines of a rendering, trimmed, for order-insensitive "contains this line" checks. */
export const linesOf = (text: string): Array<string> => text.split("\n").map((l) => l.trim())

/** The provider block of one machine (between `m.vm.provider` and its `end`). */
export const providerBody = (text: string, machineName: string): Array<string> => {
  const lines = linesOf(text)
  const start = lines.indexOf(`config.vm.define '${machineName}', autostart: false do |m|`)
  const open = lines.findIndex((l, i) => i > start && l.startsWith("m.vm.provider :"))
  const close = lines.indexOf("end", open)
  return lines.slice(open + 1, close)
}

export const HOSTILE = {
  root: "/tmp/it's \"q\" #{system('x')} back\\slash\nnew line\r\ncrlf  spaced `id` $(id) é",
  env: "v'al\"ue #{ENV} \\ \n second line \r\n $(touch /tmp/pwned) `id` ; | & é 😀",
  script: "#!/bin/sh\necho 'single' \"double\" #{interp} \\\\ \\\n__END__\n=begin\necho done\r\n",
  source: "dir with 'quote' and #{x} and \\ and\nnewline",
  target: "/mnt/it's #{x} \\ spaced"
}
