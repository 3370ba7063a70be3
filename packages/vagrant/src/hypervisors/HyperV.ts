import type { InvalidInput } from "@vm/core"
import { ProcessRunner, type RunResult } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { powershellString, validGuid } from "../powershell.js"
import { HostTools } from "./HostTools.js"
import { type CliError, type CliRun, processCli } from "./cli.js"

export interface HyperVShape {
  /** Runs a PowerShell script (`-Command`): the generic entry point the typed helpers below use. */
  readonly script: (script: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** `Stop-VM -TurnOff -Force`: immediate power-off (`-Force` alone is a forced guest shutdown that can take minutes). */
  readonly turnOff: (vmId: string, timeoutMs: number) => Effect.Effect<RunResult, CliError | InvalidInput>
  /** The VM's `State`, lower-cased as Vagrant's hyperv provider reports it (running, off, saved, paused, …). */
  readonly vmState: (vmId: string, timeoutMs: number) => Effect.Effect<string, CliError | InvalidInput>
}

/** Hyper-V through PowerShell, addressed by the VM GUID from the machine's data directory. */
export class HyperV extends Context.Tag("@vm/vagrant/HyperV")<HyperV, HyperVShape>() {}

const PRELUDE = "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'"

/** Pure: the scripts, for tests. Module-qualified so a same-named user function cannot shadow them. */
export const turnOffScript = (guid: string) =>
  `${PRELUDE}; Hyper-V\\Get-VM -Id ${powershellString(guid)} | Hyper-V\\Stop-VM -TurnOff -Force`
export const vmStateScript = (guid: string) =>
  `${PRELUDE}; (Hyper-V\\Get-VM -Id ${powershellString(guid)}).State.ToString()`

export const powershellArgs = (script: string): ReadonlyArray<string> =>
  ["-NoLogo", "-NoProfile", "-NonInteractive", "-Command", script]

export const makeHyperV = (run: CliRun): HyperVShape => {
  const script = (text: string, timeoutMs: number) => run(powershellArgs(text), { timeoutMs })
  return {
    script,
    turnOff: (vmId, timeoutMs) =>
      Effect.flatMap(validGuid("Hyper-V VM id", vmId), (guid) => script(turnOffScript(guid), timeoutMs)),
    vmState: (vmId, timeoutMs) =>
      Effect.flatMap(validGuid("Hyper-V VM id", vmId), (guid) => script(vmStateScript(guid), timeoutMs)).pipe(
        Effect.map((r) => r.stdout.trim().toLowerCase())
      )
  }
}

/** Windows PowerShell where it exists (Windows, WSL), else PowerShell 7. */
export const powershellExecutable = Effect.gen(function*() {
  const host = yield* HostTools
  return host.platform === "win32" || Option.isSome(yield* host.which("powershell.exe")) ? "powershell.exe" : "pwsh"
})

export const HyperVLive = Layer.effect(
  HyperV,
  Effect.gen(function*() {
    const processes = yield* ProcessRunner
    const executable = yield* powershellExecutable
    return HyperV.of(makeHyperV(processCli(processes, executable, "Hyper-V needs Windows PowerShell (powershell.exe)")))
  })
)

/** Over a scripted `run` of the PowerShell executable (see `scriptedCli`). */
export const HyperVFake = (run: CliRun) => Layer.succeed(HyperV, HyperV.of(makeHyperV(run)))
