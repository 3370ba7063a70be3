import * as Effect from "effect/Effect"
import type { VmState } from "@vm/core"
import { instanceVmName, resolveProviderSettings } from "../render/settings.js"
import type { ProviderModule } from "./Provider.js"
import { fail, ok } from "../doctor/Check.js"
import { failure, toolCheck } from "./doctorChecks.js"
import { hypervisorDefaults, hypervisorRender, providerBlock, setting, transitional, uuidId, withValidId } from "./shared.js"

const ENABLE_HYPERV = "enable Hyper-V, as Administrator: Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All"

/** Prints whether the Hyper-V PowerShell module (the cmdlets Vagrant's hyperv provider runs) is installed. */
export const HYPERV_MODULE_SCRIPT = "if (Get-Module -ListAvailable -Name Hyper-V) { 'available' } else { 'missing' }"

const hypervDoctor: ProviderModule["doctor"] = {
  plugins: [],
  checks: (env) => [{
    name: "Hyper-V module",
    fix: "restart PowerShell or Windows",
    run: toolCheck(
      env.tools.hyperv.script(HYPERV_MODULE_SCRIPT, env.timeoutMs).pipe(
        Effect.catchTag("CommandFailed", (e) => Effect.succeed({ exitCode: e.exitCode, stdout: "", stderr: e.stderrTail, durationMs: 0 }))
      ),
      (r) =>
        r.stdout.trim() === "available"
          ? ok("the Hyper-V PowerShell module is installed")
          : r.exitCode === 0
          ? fail("the Hyper-V PowerShell module is not installed", ENABLE_HYPERV)
          : fail(`PowerShell: ${failure(r)}`, ENABLE_HYPERV),
      { missing: "Hyper-V needs Windows (or WSL with powershell.exe on PATH)", hang: "restart PowerShell or Windows" }
    )
  }]
}

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
  doctor: hypervDoctor,
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
