import type { ProjectContextShape } from "@vm/core"

export interface Timeouts {
  readonly upMs: number
  readonly queryMs: number
  readonly haltMs: number
  /** Each host-side query of `vm status`: the machine state, and `vagrant ssh-config` when not cached. */
  readonly statusMs: number
  /** The ssh round trip of `vm status` to the guest. */
  readonly sshMs: number
}

export const timeoutsFor = (ctx: Pick<ProjectContextShape, "global">): Timeouts => ({
  upMs: (ctx.global.timeouts.vagrant_up ?? 900) * 1000,
  queryMs: (ctx.global.timeouts.vagrant_query ?? 60) * 1000,
  haltMs: (ctx.global.timeouts.vagrant_up ?? 900) * 1000 / 3,
  statusMs: (ctx.global.timeouts.status ?? 10) * 1000,
  sshMs: (ctx.global.timeouts.ssh ?? 10) * 1000
})
