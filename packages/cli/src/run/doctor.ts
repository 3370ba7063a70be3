import { findProjectConfig, HomeDir, loadGlobalConfig, loadProjectConfig } from "@vm/core/config/load"
import { emptyGlobalConfig } from "@vm/core/config/schema"
import { type ConfigInvalid, InvalidInput, printable } from "@vm/core/errors"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import type { CheckResult } from "@vm/vagrant/doctor/Check"
import { type DoctorReport, HostNotReady, runDoctor } from "@vm/vagrant/doctor/Doctor"
import { ToolsLive } from "@vm/vagrant/layers"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { vm } from "../commands/root.js"

const LABEL: Readonly<Record<CheckResult["status"], string>> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" }

/** One line per check: status, name, what was found and, for a problem, the fix. */
export const renderDoctorReport = (report: DoctorReport): ReadonlyArray<string> => {
  const width = Math.max(...report.checks.map((c) => printable(c.name).length))
  const lines = report.checks.map((c) =>
    `${LABEL[c.status]}  ${printable(c.name).padEnd(width)}  ${printable(c.detail)}${c.fix === undefined ? "" : ` — fix: ${printable(c.fix)}`}`
  )
  const count = (status: CheckResult["status"]) => report.checks.filter((c) => c.status === status).length
  const [failed, warned] = [count("fail"), count("warn")]
  const summary = failed > 0
    ? `${failed} problem${failed === 1 ? "" : "s"} to fix before vm can work${warned > 0 ? `, ${warned} warning${warned === 1 ? "" : "s"}` : ""}`
    : warned > 0
    ? `vm has what it needs (${warned} warning${warned === 1 ? "" : "s"})`
    : "all good: vm has what it needs"
  return [...lines, summary]
}

/** vm.yaml (-c, else found upward from the cwd) and the global config; files that cannot be read are reported, not fatal. */
const loadForDoctor = (configPath: Option.Option<string>, home: string) =>
  Effect.gen(function*() {
    const problems: Array<ConfigInvalid> = []
    const global = yield* loadGlobalConfig(home).pipe(
      Effect.catchTag("ConfigInvalid", (e) => Effect.as(Effect.sync(() => problems.push(e)), { file: Option.none(), config: emptyGlobalConfig }))
    )
    const file = Option.isSome(configPath)
      ? Option.some(configPath.value)
      : yield* Effect.option(findProjectConfig(process.cwd()))
    const project = Option.isNone(file) ? Option.none() : yield* loadProjectConfig(file.value).pipe(
      Effect.map((p): Option.Option<ProjectContextShape> =>
        Option.some({
          root: p.root,
          configFile: p.file,
          config: p.config,
          global: global.config,
          ...(Option.isSome(global.file) ? { globalConfigFile: global.file.value } : {}),
          home
        })
      ),
      Effect.catchTag("ConfigInvalid", (e) => Effect.as(Effect.sync(() => problems.push(e)), Option.none()))
    )
    return { project, global: global.config, problems }
  })

export const doctor = ({ json, timeout }: { readonly json: boolean; readonly timeout: number }) =>
  Effect.gen(function*() {
    if (timeout < 1) return yield* new InvalidInput({ what: "--timeout", reason: `must be at least 1 (second), got ${timeout}` })
    const { config } = yield* vm
    const home = yield* HomeDir
    const loaded = yield* loadForDoctor(config, home)
    const report = yield* runDoctor({
      project: loaded.project,
      searchedFrom: process.cwd(),
      configProblems: loaded.problems,
      global: loaded.global,
      home,
      environment: process.env,
      timeoutMs: timeout * 1000
    }).pipe(Effect.provide(ToolsLive))
    yield* Console.log(json ? JSON.stringify(report, null, 2) : renderDoctorReport(report).join("\n"))
    if (!report.ok) return yield* new HostNotReady({ failed: report.checks.filter((c) => c.status === "fail").map((c) => c.name) })
  })
