import { DEFAULT_INSTANCE, type GlobalConfig, type ProjectConfig } from "@vm/core"
import { sha256 } from "../hash.js"

export interface ProviderSettings {
  /** MB; undefined when unset or `unlimited`. */
  readonly memory: number | undefined
  /** undefined when unset or `unlimited`. */
  readonly cpus: number | undefined
  readonly gui: boolean | undefined
}

const limit = (value: number | "unlimited" | undefined): number | undefined =>
  value === "unlimited" ? undefined : value

/** Memory, cpus and gui: the project's `vm` section, falling back to the user's defaults. */
export const resolveProviderSettings = (config: ProjectConfig, global: GlobalConfig): ProviderSettings => ({
  memory: limit(config.vm.memory ?? global.defaults.memory),
  cpus: limit(config.vm.cpus ?? global.defaults.cpus),
  gui: config.vm.gui
})

export const DEFAULT_BOX = "debian/bookworm64"

export const resolveBox = (config: ProjectConfig, global: GlobalConfig): string =>
  config.vm.box ?? global.defaults.box ?? DEFAULT_BOX

/** The guest login user (`config.ssh.username`); undefined keeps Vagrant's default (`vagrant`). */
export const resolveUser = (config: ProjectConfig, global: GlobalConfig): string | undefined =>
  config.vm.user ?? global.defaults.user

/** The user's extra `docker create` arguments: user defaults first, project last (docker keeps the last value of a repeated flag). */
export const userDockerCreateArgs = (config: ProjectConfig, global: GlobalConfig): ReadonlyArray<string> => [
  ...(global.docker.create_args ?? []),
  ...(config.vagrant.docker?.create_args ?? [])
]

export const resolveDockerImage = (config: ProjectConfig, global: GlobalConfig, fallback: string): string =>
  config.vagrant.docker?.image ?? global.docker.image ?? fallback

const dockerSafe = (s: string): string => s.toLowerCase().replace(/[^a-z0-9_.-]/g, "-")

/**
 * The docker container name for a machine: readable, and unique per project folder because the
 * hash of the project root tells apart two checkouts with the same project name.
 */
export const containerName = (projectName: string, machine: string, projectRoot: string): string =>
  `vm-${dockerSafe(projectName)}-${dockerSafe(machine)}-${sha256(projectRoot).slice(0, 8)}`

/**
 * A provider-level VM name (`vb.name`, `h.vmname`, `prl.name`) for one instance: the configured
 * name for the default instance, suffixed for the others so that two instances never share one.
 */
export const instanceVmName = (name: string, instance: string): string =>
  instance === DEFAULT_INSTANCE ? name : `${name}-${instance}`

/** Forwarded host ports (`_range` expanded), each port once. */
export const forwardedPorts = (config: ProjectConfig): Array<{ readonly id: string; readonly port: number }> => {
  const seen = new Set<number>()
  const out: Array<{ id: string; port: number }> = []
  const add = (id: string, port: number) => {
    if (seen.has(port)) return
    seen.add(port)
    out.push({ id, port })
  }
  for (const [name, value] of Object.entries(config.ports)) {
    if (name !== "_range" && typeof value === "number") add(`vm-${name}`, value)
  }
  const range = config.ports["_range"]
  if (Array.isArray(range)) {
    const [first, last] = range as readonly [number, number]
    for (let port = first; port <= last; port++) add(`vm-_range-${port}`, port)
  }
  return out
}
