import type { AppliedConfig, ProgressShape, VmError } from "@vm/core"
import * as Effect from "effect/Effect"
import type { VagrantProject } from "../project/VagrantProject.js"
import { type ApplyPlan, planApply } from "./planApply.js"
import { currentPlan } from "./renderCheck.js"

/** The plan for one instance: its booted configuration against the project's current one. */
export const planFor = (p: VagrantProject, instance: string) =>
  Effect.gen(function*() {
    const state = yield* p.readState
    const record = yield* p.record(instance)
    const current = yield* currentPlan(p.ctx, p.provider, state, instance, p.hostUser)
    return planApply(record.booted, current)
  })

const reasonsOf = (plan: ApplyPlan) => plan.changes.map((c) => c.reason)

/** Says what is lost before a recreate, so the user can stop (Ctrl-C) before anything happens. */
export const recreateNotice = (instance: string, provider: string, plan: ApplyPlan): string => {
  const why = plan.changes.filter((c) => c.action === "recreate").map((c) => c.reason).join("; ")
  return `${why}: the ${provider} provider cannot apply this by reload; recreating ${instance} — ` +
    "the workspace and synced folders are kept, other files inside the machine are not"
}

/**
 * Makes the machine run with the project's current configuration (renders Vagrantfile.vmtool first).
 * restart: reload when that applies every change, else recreate (announced first).
 * start: a running machine is left alone (drift is announced); a stopped one boots with the new file,
 * or is recreated when `up` cannot apply the change either.
 */
export const applyConfig = (
  p: VagrantProject,
  progress: ProgressShape,
  instance: string,
  mode: "start" | "restart"
): Effect.Effect<AppliedConfig, VmError> =>
  Effect.gen(function*() {
    // a config that cannot boot changes nothing, not even Vagrantfile.vmtool
    yield* p.checkBootable
    yield* p.writeVagrantfile
    const plan = yield* planFor(p, instance)
    const reasons = reasonsOf(plan)
    const verb = mode === "start" ? "Starting" : "Restarting"
    const recreate = Effect.gen(function*() {
      yield* progress.notice(recreateNotice(instance, p.provider, plan))
      const machine = yield* p.recreate(instance, `Recreating ${instance}`)
      return { machine, performed: "recreate", reasons } satisfies AppliedConfig
    })
    const announce = plan.action === "none"
      ? Effect.void
      : progress.notice(`applying config changes to ${instance}: ${reasons.join("; ")}`)

    if (mode === "restart") {
      if (plan.action === "recreate") return yield* recreate
      yield* announce
      const machine = yield* p.boot(instance, "reload", `${verb} ${instance}`, { provision: plan.provision })
      return { machine, performed: "reload", reasons } satisfies AppliedConfig
    }

    if (plan.action !== "none") {
      // `vagrant up` on a running machine applies nothing: don't pretend it did
      const now = yield* p.info(instance)
      if (now.state === "running") {
        yield* progress.notice(
          `${instance} is running with an older configuration (${reasons.join("; ")}); run \`vm restart ${instance}\` to apply it`
        )
        return { machine: now, performed: "none", reasons } satisfies AppliedConfig
      }
      if (plan.action === "recreate" && now.state !== "missing") return yield* recreate
      yield* announce
    }
    const machine = yield* p.boot(instance, "up", `${verb} ${instance}`, { provision: plan.provision })
    return { machine, performed: "up", reasons } satisfies AppliedConfig
  })
