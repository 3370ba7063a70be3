import type { GlobalConfig, ProjectConfig, VagrantProviderName } from "@vm/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HostTools } from "../hypervisors/HostTools.js"

/** Pure: the configured provider, else VirtualBox when installed, else the docker provider. */
export const resolveProviderName = (
  settings: { readonly config: ProjectConfig; readonly global: GlobalConfig },
  virtualBoxInstalled: boolean
): VagrantProviderName =>
  settings.config.vagrant.provider ?? settings.global.defaults.provider ?? (virtualBoxInstalled ? "virtualbox" : "docker")

/** The provider for these settings on this host. */
export const chooseProvider = (settings: { readonly config: ProjectConfig; readonly global: GlobalConfig }) =>
  Effect.gen(function*() {
    if (settings.config.vagrant.provider ?? settings.global.defaults.provider) return resolveProviderName(settings, false)
    const host = yield* HostTools
    return resolveProviderName(settings, Option.isSome(yield* host.which("VBoxManage")))
  })
