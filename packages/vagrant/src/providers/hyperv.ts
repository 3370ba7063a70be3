import type { VmState } from "@vm/core"
import { instanceVmName, resolveProviderSettings } from "../render/settings.js"
import type { ProviderModule } from "./Provider.js"
import { hypervisorDefaults, hypervisorRender, providerBlock, setting, transitional, uuidId, withValidId } from "./shared.js"

/** Vagrant's Hyper-V provider (plugins/providers/hyperv); the machine id is the VM's GUID. */
export const hyperv: ProviderModule = {
  ...hypervisorDefaults,
  name: "hyperv",
  title: "Hyper-V",
  // Get-VM's State, lower-cased as the provider reports it (scripts/get_vm_status.ps1)
  states: {
    off: "stopped",
    saved: "suspended",
    fastsaved: "suspended",
    paused: "suspended",
    other: "unknown",
    ...transitional("starting", "stopping", "saving", "pausing", "resuming", "reset", "fastsaving")
  },
  // faults: `runningcritical`, `offcritical`, `savedcritical`, …
  classify: (id): VmState | undefined => (id.endsWith("critical") ? "broken" : undefined),
  offState: "off",
  savedStates: ["saved", "fastsaved"],
  machineId: uuidId,
  hostTools: ["powershell.exe"],
  render: {
    ...hypervisorRender,
    block: (input) => {
      const { memory, cpus } = resolveProviderSettings(input.config, input.global)
      const h = input.config.vagrant.hyperv
      return providerBlock("hyperv", "h", [
        ...setting("h", "memory", memory),
        ...setting("h", "cpus", cpus),
        ...setting("h", "vmname", h?.vmname === undefined ? undefined : instanceVmName(h.vmname, input.instance)),
        ...setting("h", "enable_virtualization_extensions", h?.enable_virtualization_extensions)
      ])
    }
  },
  hardStop: (env, id) => ({
    command: () => `Stop-VM -TurnOff -Force (VM ${id})`,
    query: (timeoutMs) => withValidId(hyperv, id, (guid) => env.tools.hyperv.vmState(guid, timeoutMs)),
    stop: (timeoutMs) => withValidId(hyperv, id, (guid) => env.tools.hyperv.turnOff(guid, timeoutMs))
  })
}
