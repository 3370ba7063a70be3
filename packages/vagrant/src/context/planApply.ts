import type { ApplyAction } from "@vm/core"
import { providerModule } from "../providers/registry.js"
import type { MachinePlan, PlannedFolder } from "./plan.js"

/** One difference between the booted and the current plan, and what applying it takes. */
export interface PlanChange {
  readonly reason: string
  readonly action: "reload" | "recreate"
}

export interface ApplyPlan {
  readonly action: ApplyAction
  readonly changes: ReadonlyArray<PlanChange>
  /** The user's provisioner changed: boot with `--provision` so that it runs again. */
  readonly provision: boolean
}

const NO_RECORD = "no record of the configuration it last booted with"

const sameList = <A>(a: ReadonlyArray<A>, b: ReadonlyArray<A>) =>
  a.length === b.length && a.every((x, i) => x === b[i])

const arrow = (a: string | number | null, b: string | number | null, unit = "") => {
  const show = (v: string | number | null) => (v === null ? "unset" : `${v}${unit}`)
  return `${show(a)} → ${show(b)}`
}

/** "+/data, -/old, ~/shared": added, removed, changed guest paths. */
const folderDiff = (before: ReadonlyArray<PlannedFolder>, after: ReadonlyArray<PlannedFolder>): string | undefined => {
  const key = (f: PlannedFolder) => f.target.replace(/\/$/, "")
  const old = new Map(before.map((f) => [key(f), f]))
  const now = new Map(after.map((f) => [key(f), f]))
  const parts: Array<string> = []
  for (const [target, f] of now) {
    const was = old.get(target)
    if (was === undefined) parts.push(`+${target}`)
    else if (was.source !== f.source || was.readonly !== f.readonly) parts.push(`~${target}`)
  }
  for (const target of old.keys()) if (!now.has(target)) parts.push(`-${target}`)
  return parts.length === 0 ? undefined : parts.join(", ")
}

/** "+NEW, -GONE, CHANGED" by variable name; values are never shown. */
const envDiff = (before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string | undefined => {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  const parts = names.flatMap((name) => {
    if (!(name in before)) return [`+${name}`]
    if (!(name in after)) return [`-${name}`]
    return before[name] === after[name] ? [] : [name]
  })
  return parts.length === 0 ? undefined : parts.join(", ")
}

/**
 * Pure: how to make a machine booted with `booted` run with `current`. The docker provider fixes
 * image, `docker create` arguments, memory/cpu limits, hostname and bind mounts (synced folders)
 * when it creates the container, and `vagrant reload` only stops and starts it; hypervisor
 * providers re-apply all of these on reload. Box and provider changes always need a new machine.
 */
export const planApply = (booted: MachinePlan | undefined, current: MachinePlan): ApplyPlan => {
  if (booted === undefined) return { action: "reload", changes: [{ reason: NO_RECORD, action: "reload" }], provision: false }
  if (booted.provider !== current.provider) {
    return {
      action: "recreate",
      changes: [{ reason: `provider changed (${arrow(booted.provider, current.provider)})`, action: "recreate" }],
      provision: false
    }
  }
  // what the provider fixes when it creates the machine (docker: limits, mounts, hostname) needs a new one
  const createdWith: PlanChange["action"] = providerModule(current.provider)?.hardwareChange ?? "reload"
  const changes: Array<PlanChange> = []
  const add = (reason: string | undefined, action: PlanChange["action"]) => {
    if (reason !== undefined) changes.push({ reason, action })
  }
  add(booted.box !== current.box ? `box changed (${arrow(booted.box, current.box)})` : undefined, "recreate")
  add(booted.image !== current.image ? `docker image changed (${arrow(booted.image, current.image)})` : undefined, "recreate")
  add(!sameList(booted.createArgs, current.createArgs) ? "docker create_args changed" : undefined, "recreate")
  // the ids are given to the guest user when the machine is created (docker: the container's environment)
  add(
    booted.guestUser !== current.guestUser
      ? `guest user's uid:gid changed (${booted.guestUser ?? "the image's own"} → ${current.guestUser ?? "the image's own"})`
      : undefined,
    "recreate"
  )
  const folders = folderDiff(booted.syncedFolders, current.syncedFolders)
  add(folders === undefined ? undefined : `synced folders changed (${folders})`, createdWith)
  add(booted.hostname !== current.hostname ? `hostname changed (${arrow(booted.hostname, current.hostname)})` : undefined, createdWith)
  add(booted.memory !== current.memory ? `memory changed (${arrow(booted.memory, current.memory, " MB")})` : undefined, createdWith)
  add(booted.cpus !== current.cpus ? `cpus changed (${arrow(booted.cpus, current.cpus)})` : undefined, createdWith)
  add(!sameList(booted.ports, current.ports) ? "forwarded ports changed" : undefined, "reload")
  const env = envDiff(booted.environment, current.environment)
  add(env === undefined ? undefined : `environment changed (${env})`, "reload")
  const provisionChanged = booted.provision !== current.provision
  const provision = provisionChanged && current.provision !== null
  add(provision ? "provision script changed (it runs again)" : provisionChanged ? "provision script removed" : undefined, "reload")
  add(booted.user !== current.user ? `ssh user changed (${arrow(booted.user, current.user)})` : undefined, "reload")
  if (changes.length === 0 && booted.renderHash !== current.renderHash) add("other Vagrantfile settings changed", "reload")
  const action: ApplyAction = changes.length === 0
    ? "none"
    : changes.some((c) => c.action === "recreate")
    ? "recreate"
    : "reload"
  return { action, changes, provision }
}
