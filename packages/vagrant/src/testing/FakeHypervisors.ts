import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { type CliAnswer, type CliCall, notScripted, scriptedCli } from "../hypervisors/cli.js"
import { DockerCliFake } from "../hypervisors/DockerCli.js"
import { HostProcessesFake } from "../hypervisors/HostProcesses.js"
import { FAKE_HOST_USER, HostToolsFake, type HostUser } from "../hypervisors/HostTools.js"
import { HyperVFake } from "../hypervisors/HyperV.js"
import { PrlctlFake } from "../hypervisors/Prlctl.js"
import { VBoxManageFake } from "../hypervisors/VBoxManage.js"
import { VirshFake } from "../hypervisors/Virsh.js"
import { VmrunFake } from "../hypervisors/Vmrun.js"

/** How each fake CLI answers; a tool without an answer dies on its first call (an unexpected command). */
export interface HypervisorScript {
  readonly docker?: CliAnswer
  readonly vboxmanage?: CliAnswer
  readonly vmrun?: CliAnswer
  /** The PowerShell executable behind the Hyper-V service. */
  readonly powershell?: CliAnswer
  readonly virsh?: CliAnswer
  readonly prlctl?: CliAnswer
  /** The host process table (pid → argv) the process killer sees. */
  readonly processes?: Map<number, ReadonlyArray<string>>
  /** Reading the process table hangs. */
  readonly processListHangs?: boolean
  /** Programs on the fake host's PATH (default: none of the hypervisor CLIs). */
  readonly hostTools?: ReadonlyArray<string>
  /** The user vm runs as (default: HostToolsFake's 1000:1000). */
  readonly hostUser?: HostUser | null
}

const unscripted: CliAnswer = () => notScripted

/**
 * Fake layers for every hypervisor CLI plus the host process table, sharing one ordered log of
 * exact argv (`["docker", "kill", id]`, `["kill", "-KILL", pid]`, …) so tests can assert the sequence.
 * Pass `log` to share it with other fakes (a scripted Vagrant).
 */
export const makeFakeHypervisors = (script: HypervisorScript, log?: Ref.Ref<ReadonlyArray<CliCall>>) =>
  Effect.gen(function*() {
    const calls = log ?? (yield* Ref.make<ReadonlyArray<CliCall>>([]))
    const cli = (tool: string, answer: CliAnswer | undefined) => scriptedCli(tool, answer ?? unscripted, calls)
    const layer = Layer.mergeAll(
      DockerCliFake(cli("docker", script.docker)),
      VBoxManageFake(cli("VBoxManage", script.vboxmanage)),
      VmrunFake(cli("vmrun", script.vmrun)),
      HyperVFake(cli("powershell.exe", script.powershell)),
      VirshFake(cli("virsh", script.virsh)),
      PrlctlFake(cli("prlctl", script.prlctl)),
      HostProcessesFake(script.processes ?? new Map(), calls, { hang: script.processListHangs ?? false }),
      HostToolsFake(script.hostTools ?? ["vagrant", "ssh"], "linux", script.hostUser === undefined ? FAKE_HOST_USER : script.hostUser)
    )
    return { layer, calls: Ref.get(calls), log: calls }
  })
