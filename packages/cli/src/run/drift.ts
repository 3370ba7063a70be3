import { ContextualLifecycle } from "@vm/core/ContextualLifecycle"
import { DEFAULT_INSTANCE } from "@vm/core/instances"
import type { MachineInfo } from "@vm/core/model"
import { ProjectContext } from "@vm/core/ProjectContext"
import * as Effect from "effect/Effect"

export interface DriftReport {
  /** The machine does not run with the current vm.yaml + ~/.vm/config.yaml. */
  readonly configChanged: boolean
  readonly drift: { readonly applyBy: "reload" | "recreate"; readonly reasons: ReadonlyArray<string> } | null
}

/** `vm status`: compares what the machine booted with against the current config (no process runs). */
export const configDrift = (info: MachineInfo) =>
  Effect.gen(function*() {
    if (info.state === "missing") return { configChanged: false, drift: null } satisfies DriftReport
    const drift = yield* (yield* ContextualLifecycle).drift(info.name, yield* ProjectContext)
    return {
      configChanged: drift.configChanged,
      drift: drift.action === "none" ? null : { applyBy: drift.action, reasons: drift.reasons }
    } satisfies DriftReport
  })

/** The one status line telling the user to apply a changed config, if it changed (`commands`: e.g. for temp VMs). */
export const driftHint = (
  info: MachineInfo,
  report: DriftReport,
  commands?: { readonly restart: string; readonly start: string }
): string | undefined => {
  if (report.drift === null) return undefined
  const name = info.name === DEFAULT_INSTANCE ? "" : ` ${info.name}`
  const restart = commands?.restart ?? `vm restart${name}`
  const start = commands?.start ?? `vm start${name}`
  const how = info.state === "running" ? `run \`${restart}\` to apply` : `\`${start}\` applies it`
  return `config changed since last start — ${how} (${report.drift.reasons.join("; ")})`
}
