import { instanceVmName, resolveProviderSettings } from "../render/settings.js"
import type { ProviderModule } from "./Provider.js"
import { fail, ok } from "../doctor/Check.js"
import { failure, toolCheck } from "./doctorChecks.js"
import { hexToUuid, hypervisorDefaults, hypervisorRender, providerBlock, setting, transitional, UUID, withValidId } from "./shared.js"

const INSTALL_PARALLELS = "install Parallels Desktop (Pro or Business edition: it ships prlctl)"

const parallelsDoctor: ProviderModule["doctor"] = {
  plugins: [{ name: "vagrant-parallels", fix: "vagrant plugin install vagrant-parallels" }],
  checks: (env) => [{
    name: "prlctl",
    fix: "restart Parallels Desktop",
    run: toolCheck(
      env.tools.prlctl.run(["--version"], { timeoutMs: env.timeoutMs, check: false }),
      // the format vagrant-parallels reads (lib/vagrant-parallels/driver/meta.rb)
      (r) => {
        const version = /prlctl version (\d+\.\d+\.\d+)/.exec(r.stdout)?.[1]
        return r.exitCode === 0 && version !== undefined
          ? ok(`Parallels Desktop ${version}`)
          : fail(`prlctl --version: ${failure(r)}`, INSTALL_PARALLELS)
      },
      { missing: INSTALL_PARALLELS, hang: "restart Parallels Desktop" }
    )
  }]
}

/** Parallels/vagrant-parallels; the machine id is the VM uuid, which prlctl may print in braces. */
export const parallels: ProviderModule = {
  ...hypervisorDefaults,
  name: "parallels",
  title: "Parallels Desktop",
  states: {
    stopped: "stopped",
    mounted: "stopped",
    paused: "suspended",
    suspended: "suspended",
    inaccessible: "broken",
    invalid: "broken",
    ...transitional(
      "starting", "stopping", "suspending", "resuming", "pausing", "continuing", "resetting", "restoring",
      "snapshoting", "migrating"
    )
  },
  offState: "stopped",
  savedStates: ["suspended"],
  machineId: { valid: (id) => UUID.test(id.replace(/^\{(.*)\}$/, "$1")), expected: "a VM uuid", sample: (_m, hex) => hexToUuid(hex) },
  hostTools: ["prlctl"],
  doctor: parallelsDoctor,
  render: {
    ...hypervisorRender,
    block: (input) => {
      const { memory, cpus } = resolveProviderSettings(input.config, input.global)
      const name = input.config.vagrant.parallels?.name
      return providerBlock("parallels", "prl", [
        ...setting("prl", "memory", memory),
        ...setting("prl", "cpus", cpus),
        ...setting("prl", "name", name === undefined ? undefined : instanceVmName(name, input.instance))
      ])
    }
  },
  hardStop: (env, id) => ({
    command: () => `prlctl stop ${id} --kill`,
    query: (timeoutMs) => withValidId(parallels, id, (uuid) => env.tools.prlctl.status(uuid, timeoutMs)),
    stop: (timeoutMs) => withValidId(parallels, id, (uuid) => env.tools.prlctl.stopKill(uuid, timeoutMs))
  })
}
