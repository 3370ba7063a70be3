import type { VagrantProviderName, VmState } from "@vm/core"
import { docker } from "./docker.js"
import { hyperv } from "./hyperv.js"
import { libvirt } from "./libvirt.js"
import { parallels } from "./parallels.js"
import type { ProviderModule } from "./Provider.js"
import { virtualbox } from "./virtualbox.js"
import { vmware } from "./vmware.js"

/** Every provider vm knows, by the name Vagrant uses (`--provider=<name>`, `machines/<m>/<name>/id`). */
export const PROVIDERS: Readonly<Record<VagrantProviderName, ProviderModule>> = {
  virtualbox,
  vmware_desktop: vmware,
  hyperv,
  libvirt,
  parallels,
  docker
}

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ReadonlyArray<VagrantProviderName>

const canonical = (id: string): string => id.trim().toLowerCase().replace(/[-\s]+/g, "_")

// own keys only: names like "constructor" must not reach Object.prototype
const lookup = <V>(table: Readonly<Record<string, V>> | undefined, key: string): V | undefined =>
  table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined

/** The module of a provider vm knows; undefined for others (a Vagrant plugin vm was not told about). */
export const providerModule = (name: string): ProviderModule | undefined => lookup(PROVIDERS, canonical(name))

/** Whether Vagrant needs a plugin for this provider (true for providers vm has no module for). */
export const needsVagrantPlugin = (name: string): boolean => (providerModule(name)?.doctor.plugins.length ?? 1) > 0

/** The module of a configured provider (the schema only admits known names). */
export const moduleOf = (name: VagrantProviderName): ProviderModule => PROVIDERS[name]

/** Ids every provider shares (Vagrant core and the usual plugin conventions). */
const COMMON: Readonly<Record<string, VmState>> = { not_created: "missing", running: "running", unknown: "unknown" }

/** Maps a provider's raw state id (as `vagrant status` prints it) onto vm's states. */
export const normalizeState = (provider: string, raw: string): VmState => {
  const id = canonical(raw)
  const module = providerModule(provider)
  return lookup(module?.states, id) ?? lookup(COMMON, id) ?? module?.classify?.(id) ?? "unknown"
}

/** Every raw id `normalizeState` knows for a provider (for documentation and tests). */
export const knownStates = (provider: string): ReadonlyArray<string> =>
  [...Object.keys(COMMON), ...Object.keys(providerModule(provider)?.states ?? {})]

/** Raw ids that mean "powered off" for providers vm has no module for (plugins). */
const GENERIC_OFF = new Set(["poweroff", "powered_off", "stopped", "shutoff", "off", "not_running", "aborted", "halted"])

/** Off = nothing of the machine runs any more (never created counts: there is nothing to stop). */
export const isOff = (provider: string, raw: string) => {
  const state = normalizeState(provider, raw)
  return state === "stopped" || state === "missing" || (state === "unknown" && GENERIC_OFF.has(canonical(raw)))
}

/** A state whose saved memory image a power-off throws away. */
export const isSavedState = (provider: string, raw: string) =>
  (providerModule(provider)?.savedStates ?? []).map(canonical).includes(canonical(raw))
