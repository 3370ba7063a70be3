import * as NodePath from "node:path"
import * as Effect from "effect/Effect"
import { rubyString } from "../ruby.js"
import { resolveProviderSettings } from "../render/settings.js"
import type { ProviderModule } from "./Provider.js"
import { onPathCheck } from "./doctorChecks.js"
import { hypervisorDefaults, hypervisorRender, providerBlock, setting, withValidId } from "./shared.js"

const vmwareDoctor: ProviderModule["doctor"] = {
  plugins: [{ name: "vagrant-vmware-desktop", fix: "vagrant plugin install vagrant-vmware-desktop" }],
  checks: (env) => [
    {
      name: "vmrun",
      fix: "install VMware Workstation or Fusion and put vmrun on PATH",
      run: onPathCheck(env, "vmrun", "install VMware Workstation (Linux/Windows) or Fusion (macOS) and put vmrun on PATH")
    },
    {
      // the plugin talks to VMware only through this service
      name: "VMware utility",
      fix: "install the Vagrant VMware Utility: https://developer.hashicorp.com/vagrant/install/vmware",
      run: onPathCheck(env, "vagrant-vmware-utility", "install the Vagrant VMware Utility: https://developer.hashicorp.com/vagrant/install/vmware")
    }
  ]
}

/**
 * hashicorp/vagrant-vmware-desktop (Workstation on Linux/Windows, Fusion on macOS). The machine id is
 * the absolute path of the VM's `.vmx` file; `vmrun` addresses VMs by it.
 */
export const vmware: ProviderModule = {
  ...hypervisorDefaults,
  name: "vmware_desktop",
  title: "VMware Workstation/Fusion",
  // the plugin's states: running, not_running, suspended (plus not_created)
  states: { not_running: "stopped", suspended: "suspended" },
  offState: "not_running",
  savedStates: ["suspended"],
  machineId: {
    valid: (id) => id.endsWith(".vmx") && (NodePath.posix.isAbsolute(id) || NodePath.win32.isAbsolute(id)),
    expected: "an absolute .vmx path",
    // where vagrant-vmware-desktop clones a box: .vagrant/machines/<m>/vmware_desktop/<uuid>/<box>.vmx
    sample: (machine, hex) => `/home/me/project/.vm/vagrant/machines/${machine}/vmware_desktop/${hex}/debian.vmx`
  },
  hostTools: ["vmrun", "vagrant-vmware-utility"],
  doctor: vmwareDoctor,
  render: {
    ...hypervisorRender,
    block: (input) => {
      const { memory, cpus, gui } = resolveProviderSettings(input.config, input.global)
      // vmx values are strings; the user's vmx map comes last and wins
      const vmx: Record<string, string> = {
        ...(memory === undefined ? {} : { memsize: String(memory) }),
        ...(cpus === undefined ? {} : { numvcpus: String(cpus) }),
        ...input.config.vagrant.vmware_desktop?.vmx
      }
      return providerBlock("vmware_desktop", "v", [
        ...setting("v", "gui", gui),
        ...Object.entries(vmx).map(([k, x]) => `v.vmx[${rubyString(k)}] = ${rubyString(x)}`)
      ])
    }
  },
  hardStop: (env, id) => ({
    command: () => `vmrun stop ${id} hard`,
    query: (timeoutMs) =>
      withValidId(vmware, id, (vmx) =>
        Effect.gen(function*() {
          const running = yield* env.tools.vmrun.listRunning(timeoutMs)
          if (running.some((p) => p.toLowerCase() === vmx.toLowerCase())) return "running"
          // vagrant-vmware-desktop's own rule: a .vmss file next to the vmx means suspended
          const dir = NodePath.win32.isAbsolute(vmx) && !NodePath.posix.isAbsolute(vmx) ? NodePath.win32.dirname(vmx) : NodePath.posix.dirname(vmx)
          const files = yield* env.tools.fs.readDirectory(dir).pipe(Effect.orElseSucceed(() => []))
          return files.some((f) => f.endsWith(".vmss")) ? "suspended" : "not_running"
        })),
    stop: (timeoutMs) => withValidId(vmware, id, (vmx) => env.tools.vmrun.stopHard(vmx, timeoutMs))
  })
}
