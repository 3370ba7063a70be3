import { parseMachineReadable } from "../machineReadable.js"

/**
 * The oldest Vagrant vm is known to work with: the release its e2e suite runs against (Debian 12's package).
 * vm drives Vagrant internals (the docker provider's ssh_info, machine-readable rows) that older releases did
 * not all have.
 */
export const MIN_VAGRANT_VERSION = "2.3.4"

/** `Vagrant 2.3.4` → `2.3.4`. */
export const parseVagrantVersion = (stdout: string): string | undefined => /Vagrant (\d+\.\d+\.\d+)/.exec(stdout)?.[1]

/** Numeric comparison of dotted versions: negative when a < b. */
export const compareVersions = (a: string, b: string): number => {
  const pa = a.split(".").map(Number)
  const pb = b.split(".").map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export interface VagrantPlugin {
  readonly name: string
  /** `0.11.2, system` as Vagrant prints it (version and scope). */
  readonly version: string
}

/**
 * `vagrant plugin list --machine-readable`: one untargeted `plugin-name` row per plugin, then its
 * `plugin-version` row targeted at the plugin (plugins/commands/plugin/action/list_plugins.rb).
 */
export const parsePluginList = (stdout: string): ReadonlyArray<VagrantPlugin> => {
  const records = parseMachineReadable(stdout)
  return records.filter((r) => r.type === "plugin-name" && r.data[0] !== undefined).map((r) => ({
    name: r.data[0]!,
    version: records.find((v) => v.type === "plugin-version" && v.target === r.data[0])?.data.join(",") ?? ""
  }))
}

export interface VagrantBox {
  readonly name: string
  readonly provider: string
  readonly version: string
}

/** `vagrant box list --machine-readable`: untargeted `box-name`, `box-provider`, `box-version` rows per box, in that order. */
export const parseBoxList = (stdout: string): ReadonlyArray<VagrantBox> => {
  const boxes: Array<{ name: string; provider: string; version: string }> = []
  for (const r of parseMachineReadable(stdout)) {
    const value = r.data[0] ?? ""
    const current = boxes[boxes.length - 1]
    if (r.type === "box-name") boxes.push({ name: value, provider: "", version: "" })
    else if (current !== undefined && r.type === "box-provider") current.provider = value
    else if (current !== undefined && r.type === "box-version") current.version = value
  }
  return boxes
}
