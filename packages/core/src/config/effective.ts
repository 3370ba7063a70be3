import type { GlobalConfig, ProjectConfig } from "./schema.js"

/**
 * The project's configuration with the user's provider defaults filled in: each key of the global
 * `libvirt` section applies unless vm.yaml's `vagrant.libvirt` sets it. Pure.
 */
export const withGlobalDefaults = (config: ProjectConfig, global: GlobalConfig): ProjectConfig =>
  global.libvirt === undefined
    ? config
    : { ...config, vagrant: { ...config.vagrant, libvirt: { ...global.libvirt, ...config.vagrant.libvirt } } }
