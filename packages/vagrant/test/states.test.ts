import type { VmState } from "@vm/core/model"
import { describe, expect, it } from "vitest"
import { knownStates, normalizeState } from "../src/providers/registry.js"

type Row = readonly [raw: string, state: VmState]

// Every state id each provider reports (its plugin's sources: VirtualBox VMState, vagrant-libvirt/fog,
// vagrant-vmware-desktop, Hyper-V Get-VM, vagrant-parallels), per provider.
const TABLE: Readonly<Record<string, ReadonlyArray<Row>>> = {
  virtualbox: [
    ["not_created", "missing"], ["inaccessible", "broken"], ["unknown", "unknown"], ["poweroff", "stopped"],
    ["running", "running"], ["saved", "suspended"], ["paused", "suspended"], ["aborted", "stopped"],
    ["aborted-saved", "suspended"], ["gurumeditation", "broken"], ["stuck", "broken"], ["starting", "transitional"],
    ["stopping", "transitional"], ["saving", "transitional"], ["restoring", "transitional"], ["teleported", "stopped"],
    ["teleporting", "transitional"], ["teleportingin", "transitional"], ["teleportingpausedvm", "transitional"],
    ["livesnapshotting", "transitional"], ["onlinesnapshotting", "transitional"], ["snapshotting", "transitional"],
    ["deletingsnapshot", "transitional"], ["deletingsnapshotlive", "transitional"],
    ["deletingsnapshotlivepaused", "transitional"], ["restoringsnapshot", "transitional"],
    ["settingup", "transitional"], ["faulttolerantsyncing", "transitional"]
  ],
  vmware_desktop: [
    ["not_created", "missing"], ["not_running", "stopped"], ["running", "running"], ["suspended", "suspended"]
  ],
  hyperv: [
    ["not_created", "missing"], ["running", "running"], ["off", "stopped"], ["saved", "suspended"],
    ["paused", "suspended"], ["starting", "transitional"], ["stopping", "transitional"], ["saving", "transitional"],
    ["pausing", "transitional"], ["resuming", "transitional"], ["reset", "transitional"], ["other", "unknown"],
    ["fastsaved", "suspended"], ["fastsaving", "transitional"], ["runningcritical", "broken"],
    ["offcritical", "broken"], ["stoppingcritical", "broken"], ["savedcritical", "broken"],
    ["pausedcritical", "broken"], ["startingcritical", "broken"], ["resetcritical", "broken"],
    ["savingcritical", "broken"], ["pausingcritical", "broken"], ["resumingcritical", "broken"],
    ["fastsavedcritical", "broken"], ["fastsavingcritical", "broken"]
  ],
  libvirt: [
    ["not_created", "missing"], ["preparing", "transitional"], ["unknown", "unknown"], ["inaccessible", "broken"],
    ["running", "running"], ["paused", "suspended"], ["shutoff", "stopped"], ["shutting_down", "transitional"],
    ["pmsuspended", "suspended"], ["crashed", "broken"], ["blocked", "running"], ["nostate", "unknown"]
  ],
  docker: [
    ["not_created", "missing"], ["running", "running"], ["stopped", "stopped"], ["preparing", "transitional"],
    ["host_state_unknown", "unknown"], ["unknown", "unknown"], ["paused", "suspended"], ["restarting", "transitional"]
  ],
  parallels: [
    ["not_created", "missing"], ["unknown", "unknown"], ["running", "running"], ["stopped", "stopped"],
    ["paused", "suspended"], ["suspended", "suspended"], ["inaccessible", "broken"], ["starting", "transitional"],
    ["stopping", "transitional"], ["suspending", "transitional"], ["resuming", "transitional"],
    ["pausing", "transitional"], ["resetting", "transitional"], ["restoring", "transitional"],
    ["continuing", "transitional"], ["snapshoting", "transitional"], ["migrating", "transitional"],
    ["mounted", "stopped"], ["invalid", "broken"]
  ]
}

describe("normalizeState", () => {
  for (const [provider, rows] of Object.entries(TABLE)) {
    describe(provider, () => {
      it.each(rows)("%s → %s", (raw, state) => {
        expect(normalizeState(provider, raw)).toBe(state)
      })
    })
  }

  it("does not mistake VMware's not_running for running", () => {
    expect(normalizeState("vmware_desktop", "not_running")).toBe("stopped")
    expect(normalizeState("vmware_desktop", "not running")).toBe("stopped")
  })

  it("tolerates case, spaces, dashes and surrounding whitespace", () => {
    expect(normalizeState("libvirt", "shutting-down")).toBe("transitional")
    expect(normalizeState("libvirt", "shutting down")).toBe("transitional")
    expect(normalizeState("VirtualBox", " PowerOff\n")).toBe("stopped")
    expect(normalizeState("virtualbox", "aborted_saved")).toBe("suspended")
  })

  it("reports unknown ids as unknown, not as a guess", () => {
    expect(normalizeState("docker", "exploded")).toBe("unknown")
    expect(normalizeState("docker", "")).toBe("unknown")
    expect(normalizeState("virtualbox", "runningcritical")).toBe("unknown")
  })

  it("maps shared ids for providers it has no table for", () => {
    expect(normalizeState("aws", "not_created")).toBe("missing")
    expect(normalizeState("aws", "running")).toBe("running")
    expect(normalizeState("aws", "stopped")).toBe("unknown")
  })

  it("never reads inherited object properties", () => {
    for (const raw of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(normalizeState("virtualbox", raw)).toBe("unknown")
      expect(normalizeState(raw, "name")).toBe("unknown")
      expect(normalizeState("constructor", raw)).toBe("unknown")
    }
  })

  it("has a test row for every provider-specific id it knows", () => {
    const common = new Set(knownStates("no-such-provider"))
    for (const [provider, rows] of Object.entries(TABLE)) {
      const tested = new Set(rows.map(([raw]) => raw.replace(/-/g, "_")))
      expect(knownStates(provider).filter((id) => !tested.has(id) && !common.has(id)), provider).toEqual([])
    }
  })
})
