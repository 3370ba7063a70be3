import { ParseFailed } from "@vm/core/errors"
import { ProcessRunner, type RunResult } from "@vm/core/process/ProcessRunner"
import { Context, Effect, Layer } from "effect"
import { type CliError, type CliRun, processCli } from "./cli.js"

export interface VBoxManageShape {
  /** `VBoxManage <args>`: the generic entry point the typed helpers below use. */
  readonly run: CliRun
  /** `VMState` from `showvminfo <uuid> --machinereadable` (running, poweroff, saved, aborted, …). */
  readonly vmState: (uuid: string, timeoutMs: number) => Effect.Effect<string, CliError | ParseFailed>
  /** `controlvm <uuid> poweroff`: pulls the plug of a running or paused VM. */
  readonly powerOff: (uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** `discardstate <uuid>`: drops a saved VM's RAM image (a saved VM cannot be powered off). */
  readonly discardState: (uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
}

/** VirtualBox's CLI, addressed by the VM uuid from the machine's data directory. */
export class VBoxManage extends Context.Tag("@vm/vagrant/VBoxManage")<VBoxManage, VBoxManageShape>() {}

/** `VMState="running"` → `running`. */
export const parseVmState = (stdout: string): Effect.Effect<string, ParseFailed> => {
  const match = /^VMState="([^"]*)"/m.exec(stdout)
  return match
    ? Effect.succeed(match[1]!)
    : Effect.fail(new ParseFailed({ what: "VBoxManage showvminfo output", input: stdout, reason: "no VMState line" }))
}

export const makeVBoxManage = (run: CliRun): VBoxManageShape => ({
  run,
  vmState: (uuid, timeoutMs) =>
    run(["showvminfo", uuid, "--machinereadable"], { timeoutMs }).pipe(Effect.flatMap((r) => parseVmState(r.stdout))),
  powerOff: (uuid, timeoutMs) => run(["controlvm", uuid, "poweroff"], { timeoutMs }),
  discardState: (uuid, timeoutMs) => run(["discardstate", uuid], { timeoutMs })
})

export const VBoxManageLive = Layer.effect(
  VBoxManage,
  Effect.map(ProcessRunner, (processes) =>
    VBoxManage.of(makeVBoxManage(processCli(processes, "VBoxManage", "install VirtualBox from https://www.virtualbox.org"))))
)

/** Over a scripted `run` (see `scriptedCli`). */
export const VBoxManageFake = (run: CliRun) => Layer.succeed(VBoxManage, VBoxManage.of(makeVBoxManage(run)))
