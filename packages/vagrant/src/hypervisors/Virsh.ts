import { CommandFailed } from "@vm/core"
import { ProcessRunner, type RunResult, tail } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type CliError, type CliRun, processCli } from "./cli.js"

/** vagrant-libvirt's default connection (`qemu_use_session` or `uri` in vm.yaml change it). */
export const DEFAULT_LIBVIRT_URI = "qemu:///system"

export interface VirshShape {
  /** `virsh <args>`: the generic entry point the typed helpers below use. */
  readonly run: CliRun
  /** `virsh -c <uri> destroy <uuid>`: immediate power-off of the domain (the disk is kept). */
  readonly destroy: (uri: string, uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /** `virsh -c <uri> domuuid <name>`: the uuid of the domain with this name; None when there is none. */
  readonly domUuid: (uri: string, name: string, timeoutMs: number) => Effect.Effect<Option.Option<string>, CliError>
  /** `virsh -c <uri> undefine <uuid> --remove-all-storage`: forgets a (shut off) domain and deletes its disks. */
  readonly undefine: (uri: string, uuid: string, timeoutMs: number) => Effect.Effect<RunResult, CliError>
  /**
   * `virsh -c <uri> domstate <uuid>`, in vagrant-libvirt's spelling (`shut off` → `shutoff`);
   * None when libvirt has no such domain ("failed to get domain", exit 1).
   */
  readonly domState: (uri: string, uuid: string, timeoutMs: number) => Effect.Effect<Option.Option<string>, CliError>
}

/** libvirt's CLI, addressed by the domain uuid from the machine's data directory. */
export class Virsh extends Context.Tag("@vm/vagrant/Virsh")<Virsh, VirshShape>() {}

/** virsh prints `shut off`, `in shutdown`; vagrant-libvirt (fog) names them `shutoff`, `shutting_down`. */
export const vagrantDomState = (virshState: string): string => {
  const s = virshState.trim().toLowerCase()
  return s === "shut off" ? "shutoff" : s === "in shutdown" ? "shutting_down" : s.replace(/\s+/g, "_")
}

/** virsh's answer for a domain libvirt does not know (VIR_ERR_NO_DOMAIN; see testing/fixtures/virsh.ts). */
export const VIRSH_NO_DOMAIN = /failed to get domain|Domain not found/i

export const makeVirsh = (run: CliRun): VirshShape => ({
  run,
  destroy: (uri, uuid, timeoutMs) => run(["-c", uri, "destroy", uuid], { timeoutMs }),
  domUuid: (uri, name, timeoutMs) =>
    run(["-c", uri, "domuuid", name], { timeoutMs, check: false }).pipe(
      Effect.flatMap((r) =>
        r.exitCode === 0
          ? Effect.succeed(Option.some(r.stdout.trim()).pipe(Option.filter((s) => s !== "")))
          : VIRSH_NO_DOMAIN.test(r.stderr)
          ? Effect.succeed(Option.none())
          : Effect.fail(new CommandFailed({ command: ["virsh", "-c", uri, "domuuid", name], exitCode: r.exitCode, stderrTail: tail(r.stderr || r.stdout) }))
      )
    ),
  undefine: (uri, uuid, timeoutMs) => run(["-c", uri, "undefine", uuid, "--remove-all-storage"], { timeoutMs }),
  domState: (uri, uuid, timeoutMs) =>
    run(["-c", uri, "domstate", uuid], { timeoutMs, check: false }).pipe(
      Effect.flatMap((r) =>
        r.exitCode === 0
          ? Effect.succeed(Option.some(vagrantDomState(r.stdout)))
          : VIRSH_NO_DOMAIN.test(r.stderr)
          ? Effect.succeed(Option.none())
          : Effect.fail(new CommandFailed({ command: ["virsh", "-c", uri, "domstate", uuid], exitCode: r.exitCode, stderrTail: tail(r.stderr || r.stdout) }))
      )
    )
})

/** virsh's first line when libvirtd does not answer at the URI (testing/fixtures/hostChecks.ts). */
export const VIRSH_CANNOT_CONNECT = /failed to connect to the hypervisor/i

export const VirshLive = Layer.effect(
  Virsh,
  Effect.map(ProcessRunner, (processes) =>
    Virsh.of(makeVirsh(processCli(processes, "virsh", "Debian/Ubuntu: sudo apt-get install libvirt-clients", {
      output: VIRSH_CANNOT_CONNECT,
      daemon: "libvirt"
    }))))
)

/** Over a scripted `run` (see `scriptedCli`). */
export const VirshFake = (run: CliRun) => Layer.succeed(Virsh, Virsh.of(makeVirsh(run)))
