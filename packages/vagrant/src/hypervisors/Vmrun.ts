import { ProcessRunner, type RunResult } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type CliError, type CliRun, processCli } from "./cli.js"

/** `-T` host type: Fusion on macOS, Workstation elsewhere (as vagrant-vmware-desktop passes it). */
export type VmwareHost = "ws" | "fusion"

export interface VmrunShape {
  /** `vmrun <args>`: the generic entry point the typed helpers below use. */
  readonly run: CliRun
  /** `vmrun -T <host> stop <vmx> hard`: immediate power-off, no guest shutdown. */
  readonly stopHard: (vmx: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** The vmx paths `vmrun -T <host> list` reports as running. */
  readonly listRunning: (timeoutMs: number) => Effect.Effect<ReadonlyArray<string>, CliError>
}

/** VMware Workstation/Fusion's CLI, addressed by the machine's `.vmx` path (its Vagrant id). */
export class Vmrun extends Context.Tag("@vm/vagrant/Vmrun")<Vmrun, VmrunShape>() {}

/** `Total running VMs: 2\n/a/b.vmx\n/c/d.vmx` → the paths. */
export const parseVmrunList = (stdout: string): ReadonlyArray<string> =>
  stdout.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !/^Total running VMs:/i.test(l))

export const makeVmrun = (run: CliRun, host: VmwareHost): VmrunShape => ({
  run,
  stopHard: (vmx, timeoutMs) => run(["-T", host, "stop", vmx, "hard"], { timeoutMs }),
  listRunning: (timeoutMs) => run(["-T", host, "list"], { timeoutMs }).pipe(Effect.map((r) => parseVmrunList(r.stdout)))
})

export const VmrunLive = Layer.effect(
  Vmrun,
  Effect.map(ProcessRunner, (processes) =>
    Vmrun.of(makeVmrun(
      processCli(processes, "vmrun", "install VMware Workstation or Fusion and put vmrun on PATH"),
      process.platform === "darwin" ? "fusion" : "ws"
    )))
)

/** Over a scripted `run` (see `scriptedCli`). */
export const VmrunFake = (run: CliRun, host: VmwareHost = "ws") => Layer.succeed(Vmrun, Vmrun.of(makeVmrun(run, host)))
