import type { VmState } from "@vm/core/model"

type Table = Readonly<Record<string, VmState>>

const transitional = (...ids: ReadonlyArray<string>): Table =>
  Object.fromEntries(ids.map((id) => [id, "transitional" as const]))

/** Ids every provider shares (vagrant core and the usual plugin conventions). */
const COMMON: Table = { not_created: "missing", running: "running", unknown: "unknown" }

// Raw ids per provider, from vagrant-facts §1.2. Keys are canonical (lower case, `_` for `-`/space).
const PROVIDERS: Readonly<Record<string, Table>> = {
  virtualbox: {
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
  vmware_desktop: { not_running: "stopped", suspended: "suspended" },
  hyperv: {
    off: "stopped",
    saved: "suspended",
    fastsaved: "suspended",
    paused: "suspended",
    other: "unknown",
    ...transitional("starting", "stopping", "saving", "pausing", "resuming", "reset", "fastsaving")
  },
  libvirt: {
    shutoff: "stopped",
    paused: "suspended",
    pmsuspended: "suspended",
    // Xen-style "blocked on I/O": the domain is alive
    blocked: "running",
    crashed: "broken",
    // domain runs but got no address: ssh is impossible until someone looks at it
    inaccessible: "broken",
    nostate: "unknown",
    ...transitional("preparing", "shutting_down")
  },
  docker: {
    stopped: "stopped",
    // Vagrant calls these `running`; vm reads them from `docker inspect` (a paused guest cannot answer)
    paused: "suspended",
    host_state_unknown: "unknown",
    ...transitional("preparing", "restarting")
  },
  parallels: {
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
  }
}

const canonical = (id: string): string => id.trim().toLowerCase().replace(/[-\s]+/g, "_")

// own keys only: ids like "constructor" must not reach Object.prototype
const lookup = <V>(table: Readonly<Record<string, V>> | undefined, key: string): V | undefined =>
  table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined

/** Maps a provider's raw state id (as `vagrant status` prints it) onto `vm`'s states. */
export const normalizeState = (provider: string, raw: string): VmState => {
  const id = canonical(raw)
  const known = lookup(lookup(PROVIDERS, canonical(provider)), id) ?? lookup(COMMON, id)
  if (known !== undefined) return known
  // Hyper-V reports faults as e.g. `runningcritical`, `offcritical`
  if (canonical(provider) === "hyperv" && id.endsWith("critical")) return "broken"
  return "unknown"
}

/** Every raw id `normalizeState` knows for a provider (for documentation and tests). */
export const knownStates = (provider: string): ReadonlyArray<string> =>
  [...Object.keys(COMMON), ...Object.keys(lookup(PROVIDERS, canonical(provider)) ?? {})]
