import { ProcessRunner, type RunResult } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type CliError, type CliRun, processCli } from "./cli.js"

export interface PrlctlShape {
  /** `prlctl <args>`: the generic entry point the typed helpers below use. */
  readonly run: CliRun
  /** `prlctl stop <uuid> --kill`: immediate power-off without asking the guest. */
  readonly stopKill: (uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** `prlctl list <uuid> -o status --no-header`: running, stopped, suspended, paused, … */
  readonly status: (uuid: string, timeoutMs: number) => Effect.Effect<string, CliError>
}

/** Parallels Desktop's CLI, addressed by the VM uuid from the machine's data directory. */
export class Prlctl extends Context.Tag("@vm/vagrant/Prlctl")<Prlctl, PrlctlShape>() {}

export const makePrlctl = (run: CliRun): PrlctlShape => ({
  run,
  stopKill: (uuid, timeoutMs) => run(["stop", uuid, "--kill"], { timeoutMs }),
  status: (uuid, timeoutMs) =>
    run(["list", uuid, "-o", "status", "--no-header"], { timeoutMs }).pipe(Effect.map((r) => r.stdout.trim().toLowerCase()))
})

export const PrlctlLive = Layer.effect(
  Prlctl,
  Effect.map(ProcessRunner, (processes) =>
    Prlctl.of(makePrlctl(processCli(processes, "prlctl", "install Parallels Desktop (it ships prlctl)"))))
)

/** Over a scripted `run` (see `scriptedCli`). */
export const PrlctlFake = (run: CliRun) => Layer.succeed(Prlctl, Prlctl.of(makePrlctl(run)))
