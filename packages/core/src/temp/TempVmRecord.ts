import * as Schema from "effect/Schema"
import { VagrantProviderName } from "../config/schema.js"

/** A host directory shared into a temp VM. */
export const Mount = Schema.Struct({
  /** Absolute host path, symlinks resolved. */
  source: Schema.String,
  /** Absolute guest path, normalized. */
  target: Schema.String,
  readonly: Schema.Boolean
})
export type Mount = typeof Mount.Type

/** `~/.vm/temp/<name>/state.json`: one temp VM, kept under a lock and replaced atomically. */
export const TempVmRecord = Schema.Struct({
  version: Schema.Literal(1),
  name: Schema.String,
  /** Vagrant provider, fixed at creation. */
  provider: VagrantProviderName,
  createdAt: Schema.String,
  /** Directory `vm temp create` ran in (relative mount sources were resolved against it). */
  projectDir: Schema.String,
  autoDestroy: Schema.Boolean,
  /** The mounts the user asked for. */
  mounts: Schema.Array(Mount),
  /** The mounts the machine currently has (last successful apply); null before the first boot. */
  appliedMounts: Schema.NullOr(Schema.Array(Mount))
})
export type TempVmRecord = typeof TempVmRecord.Type

const key = (m: Mount) => `${m.target}\0${m.source}\0${m.readonly}`

/** Same set of mounts, in any order. */
export const sameMounts = (a: ReadonlyArray<Mount>, b: ReadonlyArray<Mount>): boolean => {
  if (a.length !== b.length) return false
  const keys = new Set(a.map(key))
  return b.every((m) => keys.has(key(m)))
}

/** What turns `from` into `to`: a changed mount (same target, other source or mode) is removed and added again. */
export const diffMounts = (from: ReadonlyArray<Mount>, to: ReadonlyArray<Mount>) => {
  const toKeys = new Set(to.map(key))
  const fromKeys = new Set(from.map(key))
  return {
    remove: from.filter((m) => !toKeys.has(key(m))),
    add: to.filter((m) => !fromKeys.has(key(m)))
  }
}
