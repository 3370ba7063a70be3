import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { instanceVmName, resolveProviderSettings } from "../render/settings.js"
import type { ProviderModule } from "./Provider.js"
import { fail, ok } from "../doctor/Check.js"
import { failure, toolCheck } from "./doctorChecks.js"
import { askVagrantInstead, hypervisorDefaults, hypervisorRender, providerBlock, setting, transitional, uuidId, withValidId } from "./shared.js"

const SAVED = ["saved", "aborted_saved", "aborted-saved"]

const INSTALL_VIRTUALBOX = "install VirtualBox: https://www.virtualbox.org/wiki/Downloads"

const virtualboxDoctor: ProviderModule["doctor"] = {
  plugins: [],
  checks: (env) => [{
    name: "VBoxManage",
    fix: "VBoxManage hangs when VBoxSVC does: end VBoxSVC (or reboot) and retry",
    run: toolCheck(
      env.tools.vbox.run(["--version"], { timeoutMs: env.timeoutMs, check: false }),
      // warnings (e.g. a kernel module that is not loaded) may come before the version line
      (r) => {
        const version = /^\d+\.\d+\.\d+\S*/m.exec(r.stdout)?.[0]
        return r.exitCode === 0 && version !== undefined
          ? ok(`VirtualBox ${version}`)
          : fail(`VBoxManage --version: ${failure(r)}`, `repair the VirtualBox installation (${INSTALL_VIRTUALBOX})`)
      },
      { missing: INSTALL_VIRTUALBOX, hang: "VBoxManage hangs when VBoxSVC does: end VBoxSVC (or reboot) and retry" }
    )
  }]
}

/** Vagrant's VirtualBox provider (plugins/providers/virtualbox); the machine id is the VM's UUID. */
export const virtualbox: ProviderModule = {
  ...hypervisorDefaults,
  name: "virtualbox",
  title: "VirtualBox",
  // VMState values VBoxManage prints (lower case, as Vagrant's driver reads them)
  states: {
    poweroff: "stopped",
    // the VM process died or was killed; it is off and `vagrant up` starts it again
    aborted: "stopped",
    // moved away to another host; nothing runs here
    teleported: "stopped",
    saved: "suspended",
    aborted_saved: "suspended",
    paused: "suspended",
    gurumeditation: "broken",
    stuck: "broken",
    inaccessible: "broken",
    ...transitional(
      "starting", "stopping", "saving", "restoring", "teleporting", "teleportingin", "teleportingpausedvm",
      "livesnapshotting", "onlinesnapshotting", "snapshotting", "deletingsnapshot", "deletingsnapshotlive",
      "deletingsnapshotlivepaused", "restoringsnapshot", "settingup", "faulttolerantsyncing"
    )
  },
  offState: "poweroff",
  savedStates: SAVED,
  machineId: uuidId,
  hostTools: ["VBoxManage"],
  doctor: virtualboxDoctor,
  render: {
    ...hypervisorRender,
    block: (input) => {
      const { memory, cpus, gui } = resolveProviderSettings(input.config, input.global)
      const vb = input.config.vagrant.virtualbox
      return providerBlock("virtualbox", "vb", [
        ...setting("vb", "memory", memory),
        ...setting("vb", "cpus", cpus),
        ...setting("vb", "gui", gui),
        ...setting("vb", "name", vb?.name === undefined ? undefined : instanceVmName(vb.name, input.instance)),
        ...setting("vb", "linked_clone", vb?.linked_clone)
      ])
    }
  },
  // transient shared folders on the running VM (vboxsf in the guest), no reboot
  liveMounts: { available: (env) => env.tools.vbox.available },
  queryStates: (env, queries, timeoutMs) =>
    Effect.forEach(queries, (q) =>
      env.tools.vbox.showVmInfo(q.id, timeoutMs).pipe(
        Effect.map(Option.match({
          onNone: () => ({ machine: q.machine, raw: "not_created", since: null }),
          onSome: (info) => ({ machine: q.machine, raw: info.state, since: info.stateChangedAt })
        })),
        Effect.catchAll((e) => Effect.map(askVagrantInstead([q])(e), (a) => a[0]))
      ), { concurrency: "unbounded" }),
  hardStop: (env, id) => {
    const isSaved = (before: string | undefined) => before !== undefined && SAVED.includes(before.toLowerCase())
    return {
      command: (before) => isSaved(before) ? `VBoxManage discardstate ${id}` : `VBoxManage controlvm ${id} poweroff`,
      query: (timeoutMs) => withValidId(virtualbox, id, (uuid) => env.tools.vbox.vmState(uuid, timeoutMs)),
      // a saved VM has no process to power off: dropping its saved state is what turns it off
      stop: (timeoutMs, before) =>
        withValidId(virtualbox, id, (uuid) => isSaved(before) ? env.tools.vbox.discardState(uuid, timeoutMs) : env.tools.vbox.powerOff(uuid, timeoutMs)),
      // started as `VBoxHeadless --comment <name> --startvm <uuid> --vrde config` (GUI: VirtualBoxVM)
      process: { programs: ["VBoxHeadless", "VirtualBoxVM", "VirtualBox"], flag: "--startvm", value: id }
    }
  }
}
