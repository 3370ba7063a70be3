import type { VmState } from "@vm/core/model"
import { Progress } from "@vm/core/Progress"
import { diffMounts, type Mount } from "@vm/core/temp/TempVmRecord"
import { Effect, Option } from "effect"
import { DockerCli } from "../hypervisors/DockerCli.js"
import { VBoxManage } from "../hypervisors/VBoxManage.js"
import { VagrantProjectTag } from "../VagrantProvider.js"
import { waitHealthy } from "./health.js"
import { applyLiveMounts } from "./liveMounts.js"

/**
 * How a machine picks up changed synced folders:
 * - live: VirtualBox shares added/removed on the running VM (no reboot);
 * - reload: `vagrant reload` re-runs the synced-folder step (VirtualBox, libvirt, VMware, Hyper-V, Parallels);
 * - recreate: a new container, the only way for the docker provider (reload keeps the old volumes);
 * - up: the machine does not exist yet.
 */
export type ApplyStrategy = "live" | "reload" | "recreate" | "up"

export const chooseStrategy = (provider: string, state: VmState, liveShares: boolean): ApplyStrategy => {
  if (provider === "docker") return "recreate"
  if (state === "missing") return "up"
  if (provider === "virtualbox" && state === "running" && liveShares) return "live"
  return "reload"
}

/**
 * The docker provider's destroy + up, one Vagrant start-up cheaper: the container is removed with the
 * docker CLI (as Vagrant's own destroy does: `docker rm -f -v`); `vagrant up` then finds the machine
 * gone, clears its data directory and creates it again (new key, provisioners run), keeping the
 * instance record (ssh port). Measured by scripts/bench-temp-mount.mjs.
 */
export const recreateContainer = (name: string, label: string) =>
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const docker = yield* DockerCli
    const progress = yield* Progress
    const r = yield* p.record(name)
    // before anything is removed: the new machine must be able to boot (e.g. every mount source exists)
    yield* p.checkBootable
    const id = yield* p.machineId(r.machine)
    yield* p.forgetSsh(name)
    if (Option.isSome(id)) {
      yield* progress.phase(
        `${label}: removing the old container`,
        docker.run(["rm", "-f", "-v", id.value], { timeoutMs: p.timeouts.haltMs })
      )
    }
    return yield* p.boot(name, "up", `${label}: booting the new container`)
  })

/**
 * Brings the machine from the `applied` mounts to the ones in its (re-rendered) Vagrantfile, then waits
 * until it answers over ssh. The caller holds the VM's apply lock and built the provider from `desired`.
 * The single place that decides reload vs recreate for temp VMs.
 */
export const applyMounts = (
  name: string,
  applied: ReadonlyArray<Mount> | null,
  desired: ReadonlyArray<Mount>,
  healthTimeoutMs: number
) =>
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const vbox = yield* VBoxManage
    // docker always recreates: skip the ~1 s status query
    const state = p.provider === "docker" ? "unknown" : (yield* p.info(name)).state
    const strategy = chooseStrategy(p.provider, state, p.provider === "virtualbox" && (yield* vbox.available))
    const label = `Applying mounts to ${name}`
    switch (strategy) {
      case "live":
        yield* applyLiveMounts(name, diffMounts(applied ?? [], desired))
        break
      case "reload":
        yield* p.boot(name, "reload", `${label} (vagrant reload)`)
        break
      case "recreate":
        yield* recreateContainer(name, label)
        break
      case "up":
        yield* p.boot(name, "up", `${label} (vagrant up)`)
        break
    }
    yield* waitHealthy(name, healthTimeoutMs)
    return strategy
  })
