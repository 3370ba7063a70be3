import type { ConfigInvalid, GlobalConfig, ProjectContextShape, VagrantProviderName } from "@vm/core"
import { withGlobalDefaults } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { providerTools } from "../providers/tools.js"
import * as Path from "node:path"
import { HostDisk, type HostDiskShape } from "../hypervisors/HostDisk.js"
import { HostTools } from "../hypervisors/HostTools.js"
import { chooseProvider, resolveProviderName } from "../project/providerChoice.js"
import type { DoctorEnv, ProviderModule } from "../providers/Provider.js"
import { moduleOf, PROVIDER_NAMES } from "../providers/registry.js"
import { DEFAULT_DOCKER_IMAGE } from "../render/projectInput.js"
import { SshClient } from "../SshClient.js"
import { tempProjectConfig } from "../temp/tempContext.js"
import { DOTFILE_PATH, type VagrantError, VagrantRunner } from "../VagrantRunner.js"
import { type CheckResult, type DoctorCheck, fail, ok, runChecks } from "./Check.js"
import { boxCheck, controlDirCheck, diskCheck, pluginCheck, sshClientCheck, vagrantCheck } from "./hostChecks.js"
import { parseBoxList, parsePluginList, type VagrantBox, type VagrantPlugin } from "./vagrantFacts.js"

export interface DoctorInput {
  /** The project's vm.yaml, if one was found and read; else the host is checked for the providers it has. */
  readonly project: Option.Option<ProjectContextShape>
  /** Where vm.yaml was looked for (for the report when there is none). */
  readonly searchedFrom: string
  /** Config files that could not be read: each is a failed check, and the rest is checked as if they were absent. */
  readonly configProblems: ReadonlyArray<ConfigInvalid>
  readonly global: GlobalConfig
  readonly home: string
  /** The environment vm runs with (DOCKER_HOST, VAGRANT_HOME, …). */
  readonly environment: Readonly<Record<string, string | undefined>>
  /** Each check's limit. */
  readonly timeoutMs: number
}

export interface DoctorReport {
  /** No check failed. */
  readonly ok: boolean
  /** The providers checked: the project's, else the ones installed on this host plus the default. */
  readonly providers: ReadonlyArray<VagrantProviderName>
  readonly checks: ReadonlyArray<CheckResult>
}

/** A check runs this much longer than the tool call inside it, so the tool's own timeout (naming the command) is what reports a hang. */
const CHECK_GRACE_MS = 2000

/** The providers to check: the project's; without one the configured default, or every provider installed here plus the default. */
const providersToCheck = (input: DoctorInput) =>
  Effect.gen(function*() {
    if (Option.isSome(input.project)) return [yield* chooseProvider(input.project.value)]
    if (input.global.defaults.provider !== undefined) return [input.global.defaults.provider]
    const host = yield* HostTools
    const installed = yield* Effect.filter(PROVIDER_NAMES, (name) =>
      Effect.map(Effect.forEach(moduleOf(name).hostTools, host.which), (found) => found.some(Option.isSome)))
    const fallback = resolveProviderName({ config: tempProjectConfig(undefined), global: input.global }, installed.includes("virtualbox"))
    return PROVIDER_NAMES.filter((name) => name === fallback || installed.includes(name))
  })

const configCheck = (input: DoctorInput, providers: ReadonlyArray<string>): DoctorCheck => ({
  name: "config",
  fix: "correct the file and key named above",
  run: Effect.succeed(
    input.configProblems.length > 0
      ? fail(input.configProblems.map((e) => e.message).join("; "), "correct the file and key named above (the providers installed here were checked instead)")
      : Option.match(input.project, {
        onSome: (ctx) => ok(`${ctx.configFile} (provider ${providers.join(", ")})`),
        onNone: () => ok(`no vm.yaml in ${input.searchedFrom} or above: checking the providers on this host (${providers.join(", ")})`)
      })
  )
})

/** Everything about one provider: its own checks, its plugins, its box, the disk its machines live on; named `<provider>: …`. */
const providerChecks = (
  module: ProviderModule,
  env: DoctorEnv,
  vagrant: {
    readonly plugins: Effect.Effect<ReadonlyArray<VagrantPlugin>, VagrantError>
    readonly boxes: Effect.Effect<ReadonlyArray<VagrantBox>, VagrantError>
  },
  disk: HostDiskShape
): ReadonlyArray<DoctorCheck> => {
  const own = module.doctor.checks(env)
  const base = module.base(env.config, env.global, DEFAULT_DOCKER_IMAGE, null)
  const machineDirectory = module.doctor.machineDirectory
  const checks: ReadonlyArray<DoctorCheck> = [
    ...own,
    ...module.doctor.plugins.map((plugin) => pluginCheck(module.name, plugin, vagrant.plugins)),
    ...(base.box === null ? [] : [boxCheck(module.name, base.box, vagrant.boxes)]),
    ...(machineDirectory === undefined ? [] : [diskCheck(disk, {
      name: "disk",
      after: own.map((c) => c.name),
      what: `${module.title} machines`,
      where: machineDirectory(env)
    })])
  ]
  const local = new Set(checks.map((c) => c.name))
  const scoped = (name: string) => (local.has(name) ? `${module.name}: ${name}` : name)
  return checks.map((c) => ({ ...c, name: scoped(c.name), provider: module.name, after: (c.after ?? []).map(scoped) }))
}

/** `vm doctor`: everything vm needs on this host, checked in parallel, each check bounded by the input's timeout. */
export const runDoctor = (input: DoctorInput) =>
  Effect.gen(function*() {
    const runner = yield* VagrantRunner
    const ssh = yield* SshClient
    const disk = yield* HostDisk
    const host = yield* HostTools
    const providers = yield* providersToCheck(input)
    const config = withGlobalDefaults(Option.match(input.project, {
      onSome: (ctx) => ctx.config,
      onNone: () => tempProjectConfig(undefined)
    }), input.global)
    const env: DoctorEnv = {
      config,
      global: input.global,
      host,
      environment: input.environment,
      timeoutMs: input.timeoutMs,
      tools: yield* providerTools
    }
    // run outside any project: a project's Vagrantfile must not decide whether Vagrant itself works
    const vagrant = (args: ReadonlyArray<string>) =>
      Effect.map(runner.run(args, { cwd: input.home, timeoutMs: input.timeoutMs }), (r) => r.stdout)
    const plugins = yield* Effect.cached(Effect.map(vagrant(["plugin", "list", "--machine-readable"]), parsePluginList))
    const boxes = yield* Effect.cached(Effect.map(vagrant(["box", "list", "--machine-readable"]), parseBoxList))
    const vagrantHome = input.environment["VAGRANT_HOME"] || Path.join(input.home, ".vagrant.d")
    const dataDirs = [
      ...Option.match(input.project, {
        onNone: () => [],
        onSome: (ctx) => [{ name: "disk: project", dir: Path.join(ctx.root, DOTFILE_PATH), what: "the project's Vagrant data" }]
      }),
      { name: "disk: Vagrant home", dir: vagrantHome, what: "Vagrant's boxes and data" }
    ]
    const checks: ReadonlyArray<DoctorCheck> = [
      vagrantCheck(vagrant(["--version"])),
      sshClientCheck(ssh, input.timeoutMs),
      controlDirCheck(ssh),
      configCheck(input, providers),
      ...providers.flatMap((name) => providerChecks(moduleOf(name), env, { plugins, boxes }, disk)),
      ...dataDirs.map(({ dir, name, what }) => diskCheck(disk, { name, what, where: Effect.succeed(Option.some(dir)) }))
    ]
    const results = yield* runChecks(checks, input.timeoutMs + CHECK_GRACE_MS)
    return { ok: results.every((r) => r.status !== "fail"), providers, checks: results } satisfies DoctorReport
  })

/** `vm doctor` found something vm cannot work with; the report says what and how to fix it. */
export class HostNotReady extends Schema.TaggedError<HostNotReady>()("HostNotReady", {
  failed: Schema.Array(Schema.String)
}) {
  override get message() {
    return `this host is not ready for vm: ${this.failed.length} check${this.failed.length === 1 ? "" : "s"} failed (${this.failed.join(", ")})`
  }
}
