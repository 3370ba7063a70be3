import { type CommandFailed, VagrantNotInstalled } from "@vm/core/errors"
import type { RunResult } from "@vm/core/process/ProcessRunner"
import { Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { type CliAnswer, type CliCall, notScripted, scriptedCli } from "../../src/hypervisors/cli.js"
import { SshClientFake } from "../../src/SshClient.js"
import { type HypervisorScript, makeFakeHypervisors } from "../../src/testing/FakeHypervisors.js"
import { DOTFILE_PATH, VagrantRunner } from "../../src/VagrantRunner.js"
import { makeTempProject, providerWithFakes } from "../helpers.js"

export const MACHINE = "dev"

export interface WorldSpec {
  /** Provider directories holding an `id` file under `.vm/vagrant/machines/dev/` (detection reads these). */
  readonly ids: (dir: string) => Readonly<Record<string, string>>
  /** The provider vm.yaml names (default docker): kill must not trust it. */
  readonly configProvider?: string
  readonly vagrant: CliAnswer
  readonly hypervisors: (dir: string) => HypervisorScript
  readonly extraYaml?: string
  /** Vagrantfile.vmtool already on disk (default: none). */
  readonly vagrantfile?: string
}

const cleanups: Array<() => void> = []
/** Removes every world's temp project (afterAll). */
export const cleanupWorlds = () => cleanups.splice(0).forEach((f) => f())

/**
 * A project with one instance `dev`, the given machine data directory, a scripted Vagrant and
 * fake hypervisor CLIs, all logging exact argv (tool first) into one ordered list.
 */
export const makeWorld = (spec: WorldSpec) =>
  Effect.gen(function*() {
    const project = makeTempProject((ws) =>
      `project:\n  name: killtest\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: ${
        spec.configProvider ?? "docker"
      }\n${spec.extraYaml ?? ""}`
    )
    cleanups.push(project.cleanup)
    const vmDir = Path.join(project.root, ".vm")
    Fs.mkdirSync(vmDir, { recursive: true })
    Fs.writeFileSync(
      Path.join(vmDir, "state.json"),
      JSON.stringify({
        version: 1,
        instances: { dev: { machine: MACHINE, sshPort: 2222, provider: spec.configProvider ?? "docker", createdAt: "2026-01-01T00:00:00Z" } }
      })
    )
    for (const [provider, id] of Object.entries(spec.ids(project.dir))) {
      const dir = Path.join(project.root, DOTFILE_PATH, "machines", MACHINE, provider)
      Fs.mkdirSync(dir, { recursive: true })
      Fs.writeFileSync(Path.join(dir, "id"), id)
    }
    if (spec.vagrantfile !== undefined) Fs.writeFileSync(Path.join(project.root, "Vagrantfile.vmtool"), spec.vagrantfile)
    const log = yield* Ref.make<ReadonlyArray<CliCall>>([])
    const hypervisors = yield* makeFakeHypervisors(spec.hypervisors(project.dir), log)
    const vagrantCli = scriptedCli("vagrant", spec.vagrant, log)
    const vagrantCalls = yield* Ref.make<ReadonlyArray<{ readonly args: ReadonlyArray<string>; readonly plugins: boolean }>>([])
    const vagrant = Layer.succeed(
      VagrantRunner,
      VagrantRunner.of({
        run: (args, call) =>
          Ref.update(vagrantCalls, (calls) => [...calls, { args, plugins: call.plugins !== false }]).pipe(
            Effect.zipRight(vagrantCli(args, { timeoutMs: call.timeoutMs, ...(call.check === undefined ? {} : { check: call.check }) })),
            Effect.catchTag("ToolNotInstalled", () => Effect.fail(new VagrantNotInstalled()))
          )
      })
    )
    // kill must not use ssh: every call dies
    const ssh = SshClientFake()
    return {
      dir: project.dir,
      root: project.root,
      layer: providerWithFakes(project.ctx, Layer.mergeAll(vagrant, ssh, hypervisors.layer)),
      calls: Ref.get(log),
      /** Each `vagrant` call with whether Vagrant was to load its plugins. */
      vagrantCalls: Ref.get(vagrantCalls)
    }
  })

export const ok = (stdout = ""): Effect.Effect<Partial<RunResult>> => Effect.succeed({ stdout })
export const exit = (exitCode: number, stderr: string): Effect.Effect<Partial<RunResult>> => Effect.succeed({ exitCode, stderr })

/** `vagrant halt` refused because `vagrant provision` in another process holds the machine lock. */
export const LOCKED_HALT = exit(
  1,
  "An action 'halt' was attempted on the machine 'dev',\nbut another process is already executing an action on the machine."
)

/** A scripted Vagrant: halt answers `halt`; status (unknown providers only) answers `statusState`. */
export const vagrantScript = (halt: Effect.Effect<Partial<RunResult>, CommandFailed>, statusState?: () => string): CliAnswer => (args) => {
  if (args[0] === "halt") return halt
  if (args[0] === "status" && statusState) {
    const s = statusState()
    return ok(`1,${MACHINE},metadata,provider,aws\n1,${MACHINE},provider-name,aws\n1,${MACHINE},state,${s}\n`)
  }
  return notScripted
}

/**
 * Runs `effect` while advancing the TestClock in 50 ms steps, letting real file I/O progress in
 * between; fails the test past `limitMs` of test time (the effect hangs).
 */
export const withClock = <A, E>(effect: Effect.Effect<A, E>, limitMs = 20_000) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let t = 0; t <= limitMs; t += 50) {
      if (Option.isSome(yield* Fiber.poll(fiber))) break
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
      yield* TestClock.adjust("50 millis")
    }
    if (Option.isNone(yield* Fiber.poll(fiber))) return yield* Effect.dieMessage(`still running after ${limitMs} ms of test time`)
    return yield* Fiber.join(fiber)
  })
