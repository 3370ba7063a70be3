import { NodeContext } from "@effect/platform-node"
import { GlobalConfig } from "@vm/core/config/schema"
import { CommandFailed, SshFailed } from "@vm/core/errors"
import { ProcessRunnerLive } from "@vm/core/process/ProcessRunner"
import { Progress } from "@vm/core/Progress"
import { Effect, Layer, Ref, Schema } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { type CliCall, notScripted, scriptedCli } from "../../src/hypervisors/cli.js"
import { DockerCli } from "../../src/hypervisors/DockerCli.js"
import { HostProcessesFake } from "../../src/hypervisors/HostProcesses.js"
import { HostToolsFake } from "../../src/hypervisors/HostTools.js"
import { HyperVFake } from "../../src/hypervisors/HyperV.js"
import { PrlctlFake } from "../../src/hypervisors/Prlctl.js"
import { VirshFake } from "../../src/hypervisors/Virsh.js"
import { VmrunFake } from "../../src/hypervisors/Vmrun.js"
import { makeVBoxManageFake, VBoxManage } from "../../src/hypervisors/VBoxManage.js"
import { PortAllocatorTest } from "../../src/PortAllocator.js"
import { SshClientFake } from "../../src/SshClient.js"
import { TempVmsLive } from "../../src/temp/TempVmsLive.js"
import { makeFakeVagrant } from "../../src/testing/FakeVagrant.js"
import { VagrantRunner } from "../../src/VagrantRunner.js"

/** A sandbox: fake home plus host directories to mount (all canonical paths). */
export const makeTempSandbox = (dirs: ReadonlyArray<string> = ["src", "tests", "it's a \"dir\""]) => {
  const base = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-temp-unit-")))
  const home = Path.join(base, "home")
  Fs.mkdirSync(home)
  const paths = dirs.map((d) => {
    const p = Path.join(base, d)
    Fs.mkdirSync(p, { recursive: true })
    return p
  })
  return { base, home, dirs: paths, cleanup: () => Fs.rmSync(base, { recursive: true, force: true }) }
}

export const globalWith = (input: Record<string, unknown>): GlobalConfig => Schema.decodeUnknownSync(GlobalConfig)(input)

/**
 * An ssh fake that runs nothing: answers the health probe, records every remote command, and
 * refuses connections to machines the fake Vagrant does not run.
 */
export const makeRecordingSsh = (states: ReadonlyMap<string, string>, failing: (command: string) => boolean = () => false) =>
  Effect.gen(function*() {
    const log = yield* Ref.make<ReadonlyArray<{ readonly host: string; readonly command: string }>>([])
    const layer = SshClientFake(
      (target, command) =>
        states.get(target.host) !== "running"
          ? Effect.fail(new SshFailed({ machine: target.host, reason: "connection refused" }))
          : Effect.succeed(
            failing(command)
              ? { exitCode: 32, stdout: "", stderr: "mount: failed (fake)\n" }
              : { exitCode: 0, stdout: command === "echo vm-ok" ? "vm-ok\n" : "", stderr: "" }
          ),
      { record: (entry) => Ref.update(log, (all) => [...all, entry]) }
    )
    return { log: Ref.get(log), layer }
  })

/** A docker CLI that records argv and answers nothing (the machines are simulated). */
export const makeRecordingDocker = Effect.map(Ref.make<ReadonlyArray<ReadonlyArray<string>>>([]), (calls) => ({
  calls: Ref.get(calls),
  layer: Layer.succeed(
    DockerCli,
    DockerCli.of({
      run: (args) => Effect.as(Ref.update(calls, (all) => [...all, [...args]]), { exitCode: 0, stdout: "", stderr: "", durationMs: 1 })
    })
  )
}))

/** Hypervisor CLIs temp VMs never call (the kill capability's): any call dies naming it. */
export const unusedHypervisors = Effect.map(Ref.make<ReadonlyArray<CliCall>>([]), (log) => {
  const cli = (tool: string) => scriptedCli(tool, () => notScripted, log)
  return Layer.mergeAll(
    VmrunFake(cli("vmrun")),
    HyperVFake(cli("powershell.exe")),
    VirshFake(cli("virsh")),
    PrlctlFake(cli("prlctl")),
    HostProcessesFake(new Map(), log, { hang: false }),
    // a Linux host with VirtualBox installed: providerFor picks it when nothing is configured
    HostToolsFake(["VBoxManage", "vagrant", "ssh"])
  )
})

/** Switches a test flips to make the fakes fail. */
export interface FakeControls {
  /** Vagrant verbs (`up`, `reload`, …) that fail. */
  readonly failVagrant: Set<string>
  /** Remote commands containing one of these fail in the guest. */
  readonly failGuest: Set<string>
  vboxAvailable: boolean
}

/** TempVmsLive over the fake Vagrant, a recording ssh and the fake VirtualBox. */
export const makeFakeTempStack = (home: string, global: GlobalConfig = globalWith({ defaults: { provider: "docker" } })) =>
  Effect.gen(function*() {
    const controls: FakeControls = { failVagrant: new Set(), failGuest: new Set(), vboxAvailable: true }
    const vagrant = yield* makeFakeVagrant
    const ssh = yield* makeRecordingSsh(vagrant.states, (command) => [...controls.failGuest].some((s) => command.includes(s)))
    const vbox = yield* makeVBoxManageFake
    const docker = yield* makeRecordingDocker
    const hypervisors = Layer.merge(yield* unusedHypervisors, vagrant.virshLayer)
    const runner = Layer.effect(
      VagrantRunner,
      Effect.map(VagrantRunner, (inner) =>
        VagrantRunner.of({
          run: (args, call) =>
            controls.failVagrant.has(args[0]!)
              ? Effect.fail(new CommandFailed({ command: ["vagrant", ...args], exitCode: 1, stderrTail: "fake failure" }))
              : inner.run(args, call)
        }))
    ).pipe(Layer.provide(vagrant.vagrantLayer))
    const vboxLayer = Layer.effect(
      VBoxManage,
      Effect.map(VBoxManage, (inner) => VBoxManage.of({ ...inner, available: Effect.sync(() => controls.vboxAvailable) }))
    ).pipe(Layer.provide(vbox.layer))
    const layer = TempVmsLive({ home, global }).pipe(
      Layer.provideMerge(Layer.mergeAll(runner, ssh.layer, vboxLayer, PortAllocatorTest, Progress.silent, docker.layer, hypervisors)),
      Layer.provideMerge(ProcessRunnerLive),
      Layer.provideMerge(NodeContext.layer)
    )
    return { vagrant, ssh, vbox, docker, controls, layer }
  })
