import { NodeContext } from "@effect/platform-node"
import { decodeProjectConfig } from "@vm/core/config/decode"
import { emptyGlobalConfig, type GlobalConfig } from "@vm/core/config/schema"
import type { ConfigInvalid } from "@vm/core/errors"
import { ToolNotInstalled } from "@vm/core/errors"
import { ProcessRunnerTest, recordedCalls, type RecordedCall, type RunResult } from "@vm/core/process/ProcessRunner"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { Effect, Either, Layer, Option } from "effect"
import { type DoctorReport, runDoctor } from "../../src/doctor/Doctor.js"
import { DockerCliLive } from "../../src/hypervisors/DockerCli.js"
import { type DiskSpace, HostDiskFake } from "../../src/hypervisors/HostDisk.js"
import { HostToolsFake } from "../../src/hypervisors/HostTools.js"
import { HyperVLive } from "../../src/hypervisors/HyperV.js"
import { PrlctlLive } from "../../src/hypervisors/Prlctl.js"
import { VBoxManageLive } from "../../src/hypervisors/VBoxManage.js"
import { VirshLive } from "../../src/hypervisors/Virsh.js"
import { VmrunLive } from "../../src/hypervisors/Vmrun.js"
import { type ControlDirState, SshClientFake } from "../../src/SshClient.js"
import * as F from "../../src/testing/fixtures/hostChecks.js"
import type { CliRun } from "../../src/testing/fixtures/types.js"
import { VagrantRunnerLive } from "../../src/VagrantRunner.js"

/** How the fake host answers one argv: a recorded run, a missing program, or a hang. */
export type Answer = CliRun | "missing" | "hang"

/** A healthy host as recorded (docker provider, vagrant-libvirt, libvirtd): argv → recorded run. */
export const HEALTHY: ReadonlyArray<CliRun> = [
  F.VAGRANT_VERSION,
  F.VAGRANT_PLUGIN_LIST_LIBVIRT,
  F.VAGRANT_BOX_LIST_LIBVIRT,
  F.DOCKER_SERVER_VERSION,
  F.DOCKER_INFO_ROOT_DIR,
  F.DOCKER_IMAGE_INSPECT_PRESENT,
  F.VIRSH_VERSION_DAEMON,
  F.VIRSH_POOL_DUMPXML_DEFAULT
]

export interface DoctorWorld {
  /** vm.yaml text; omitted: no project (the host's providers are checked). */
  readonly yaml?: string
  readonly global?: GlobalConfig
  readonly configProblems?: ReadonlyArray<ConfigInvalid>
  /** Answers that replace the healthy ones, by the program name and its arguments' start. */
  readonly answers?: ReadonlyArray<readonly [ReadonlyArray<string>, Answer]>
  /** Programs on PATH (default docker, virsh, vagrant, ssh). */
  readonly onPath?: ReadonlyArray<string>
  readonly environment?: Readonly<Record<string, string>>
  readonly ssh?: Parameters<typeof SshClientFake>[2]
  readonly disk?: (path: string) => Omit<DiskSpace, "path"> | "hang" | undefined
  readonly timeoutMs?: number
}

const GB = 1024 ** 3
const startsWith = (argv: ReadonlyArray<string>, prefix: ReadonlyArray<string>) => prefix.every((p, i) => argv[i] === p)

/** The recorded answer for a call: an override whose argv prefix matches, else the healthy recording with exactly this argv. */
const answerFor = (spec: DoctorWorld) => (call: RecordedCall) => {
  const argv = [call.command, ...call.args]
  const answer: Answer | undefined = spec.answers?.find(([prefix]) => startsWith(argv, prefix))?.[1] ??
    HEALTHY.find((r) => r.argv.length === argv.length && startsWith(argv, r.argv))
  if (answer === undefined) return Effect.sync(() => undefined)
  if (answer === "hang") return Effect.never
  // what ProcessRunnerLive fails with when the program is not on PATH
  if (answer === "missing") return Effect.fail(new ToolNotInstalled({ tool: call.command, hint: call.options.installHint ?? "install it and retry" }))
  return Effect.succeed({ stdout: answer.stdout, stderr: answer.stderr, exitCode: answer.exitCode } satisfies Partial<RunResult>)
}

export const HOME = "/home/dev"

/** Runs `vm doctor` against the world; returns the report and every process it started. */
export const doctorIn = (spec: DoctorWorld) =>
  Effect.gen(function*() {
    const project: Option.Option<ProjectContextShape> = spec.yaml === undefined ? Option.none() : Option.some({
      root: "/home/dev/project",
      configFile: "/home/dev/project/vm.yaml",
      config: Either.getOrThrow(decodeProjectConfig(spec.yaml, "/home/dev/project/vm.yaml")),
      global: spec.global ?? emptyGlobalConfig,
      home: HOME
    })
    const report: DoctorReport = yield* runDoctor({
      project,
      searchedFrom: "/home/dev/somewhere",
      configProblems: spec.configProblems ?? [],
      global: spec.global ?? emptyGlobalConfig,
      home: HOME,
      environment: spec.environment ?? {},
      timeoutMs: spec.timeoutMs ?? 5000
    })
    return { report, calls: (yield* recordedCalls).map((c) => ({ argv: [c.command, ...c.args], cwd: c.options.cwd })) }
  }).pipe(
    Effect.provide(
      Layer.mergeAll(VagrantRunnerLive, DockerCliLive, VBoxManageLive, VmrunLive, HyperVLive, VirshLive, PrlctlLive).pipe(
        Layer.provideMerge(HostToolsFake(spec.onPath ?? ["docker", "virsh", "vagrant", "ssh"])),
        Layer.provideMerge(ProcessRunnerTest(answerFor(spec))),
        Layer.merge(HostDiskFake(spec.disk ?? (() => ({ freeBytes: 80 * GB, totalBytes: 250 * GB })))),
        Layer.merge(SshClientFake(undefined, undefined, spec.ssh ?? {})),
        Layer.merge(NodeContext.layer)
      )
    )
  )

/** The check named `name`, failing the test when there is none. */
export const check = (report: DoctorReport, name: string) => {
  const found = report.checks.find((c) => c.name === name)
  if (found === undefined) throw new Error(`no check '${name}' in ${report.checks.map((c) => c.name).join(", ")}`)
  return found
}

export type { ControlDirState }
