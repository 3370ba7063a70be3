import { describe, expect, it } from "@effect/vitest"
import { ForceKill, KILL_BUDGET_MS, type KillReport } from "@vm/core/ForceKill"
import { Cause, Effect, Exit, Option } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { type CliCall, notScripted } from "../../src/hypervisors/cli.js"
import { turnOffScript, vmStateScript } from "../../src/hypervisors/HyperV.js"
import { providerModule } from "../../src/providers/registry.js"
import { KILL_TIMINGS } from "../../src/kill/VagrantForceKill.js"
import type { HypervisorScript } from "../../src/testing/FakeHypervisors.js"
import { cleanupWorlds, exit, LOCKED_HALT, makeWorld, ok, vagrantScript, withClock, type WorldSpec } from "./world.js"

afterAll(cleanupWorlds)

const DOCKER_ID = "3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
const VBOX_UUID = "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e"
const HYPERV_GUID = "0c9a7f3e-1b2d-4e5f-9a8b-7c6d5e4f3a2b"
const LIBVIRT_UUID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
const PRL_UUID = "{5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a}"

const HALT = ["vagrant", "halt", "--force", "dev"]

/** Runs `kill("dev")` in a world, driving the TestClock; returns the exit and every external call in order. */
const killIn = (spec: WorldSpec) =>
  Effect.gen(function*() {
    const world = yield* makeWorld(spec)
    const result = yield* withClock(Effect.flatMap(ForceKill, (k) => k.kill("dev")).pipe(Effect.provide(world.layer), Effect.exit))
    const calls = yield* world.calls
    // whatever happened: kill never destroys
    expect(calls.filter((c) => c[0] === "vagrant" && c[1] === "destroy")).toEqual([])
    return { result, calls, dir: world.dir, root: world.root, vagrantCalls: yield* world.vagrantCalls }
  })

const reportOf = (result: Exit.Exit<KillReport, unknown>): KillReport => {
  if (Exit.isFailure(result)) throw new Error(`kill failed: ${Cause.pretty(result.cause)}`)
  return result.value
}

const errorOf = (result: Exit.Exit<KillReport, unknown>) => {
  if (Exit.isSuccess(result)) throw new Error(`kill unexpectedly succeeded: ${JSON.stringify(result.value)}`)
  const failure = Cause.failureOption(result.cause)
  if (Option.isNone(failure)) throw new Error(`kill died: ${Cause.pretty(result.cause)}`)
  return failure.value as { _tag: string; message: string }
}

/** The fake hypervisor's view of the machine. */
interface Power {
  on: boolean
}
const switchOff = (power: Power, stdout = "") =>
  Effect.sync(() => {
    power.on = false
    return { stdout }
  })

interface ProviderCase {
  readonly provider: string
  readonly id: (dir: string) => string
  readonly script: (power: Power, dir: string) => HypervisorScript
  /** Exact argv of the state query and of the hard stop. */
  readonly query: (id: string) => CliCall
  readonly stop: (id: string) => CliCall
}

const vmxIn = (dir: string) => Path.join(dir, "vmware", "dev.vmx")

const providers: ReadonlyArray<ProviderCase> = [
  {
    provider: "docker",
    id: () => DOCKER_ID,
    script: (power) => ({
      docker: (args) =>
        args[0] === "inspect"
          ? ok(power.on ? "running\n" : "exited\n")
          : args[0] === "kill"
          ? switchOff(power, `${DOCKER_ID}\n`)
          : notScripted
    }),
    query: (id) => ["docker", "inspect", "--format", "{{.State.Status}}", id],
    stop: (id) => ["docker", "kill", id]
  },
  {
    provider: "virtualbox",
    id: () => VBOX_UUID,
    script: (power) => ({
      vboxmanage: (args) =>
        args[0] === "showvminfo"
          ? ok(`name="dev"\nVMState="${power.on ? "running" : "poweroff"}"\n`)
          : args[0] === "controlvm"
          ? switchOff(power, "0%...100%\n")
          : notScripted
    }),
    query: (id) => ["VBoxManage", "showvminfo", id, "--machinereadable"],
    stop: (id) => ["VBoxManage", "controlvm", id, "poweroff"]
  },
  {
    provider: "vmware_desktop",
    id: vmxIn,
    script: (power, dir) => ({
      vmrun: (args) =>
        args[2] === "list"
          ? ok(power.on ? `Total running VMs: 1\n${vmxIn(dir)}\n` : "Total running VMs: 0\n")
          : args[2] === "stop"
          ? switchOff(power)
          : notScripted
    }),
    query: () => ["vmrun", "-T", "ws", "list"],
    stop: (id) => ["vmrun", "-T", "ws", "stop", id, "hard"]
  },
  {
    provider: "hyperv",
    id: () => HYPERV_GUID,
    script: (power) => ({
      powershell: (args) => args.at(-1)!.includes("Stop-VM") ? switchOff(power) : ok(power.on ? "Running\r\n" : "Off\r\n")
    }),
    query: (id) => ["powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", vmStateScript(id)],
    stop: (id) => ["powershell.exe", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", turnOffScript(id)]
  },
  {
    provider: "libvirt",
    id: () => LIBVIRT_UUID,
    script: (power) => ({
      virsh: (args) =>
        args[2] === "domstate"
          ? ok(power.on ? "running\n\n" : "shut off\n\n")
          : args[2] === "destroy"
          ? switchOff(power, `Domain '${LIBVIRT_UUID}' destroyed\n`)
          : notScripted
    }),
    query: (id) => ["virsh", "-c", "qemu:///system", "domstate", id],
    stop: (id) => ["virsh", "-c", "qemu:///system", "destroy", id]
  },
  {
    provider: "parallels",
    id: () => PRL_UUID,
    script: (power) => ({
      prlctl: (args) =>
        args[0] === "list" ? ok(power.on ? "running\n" : "stopped\n") : args[0] === "stop" ? switchOff(power) : notScripted
    }),
    query: (id) => ["prlctl", "list", id, "-o", "status", "--no-header"],
    stop: (id) => ["prlctl", "stop", id, "--kill"]
  }
]

const dockerCase = providers[0]!
const vboxCase = providers[1]!

describe("vm kill on Vagrant (fake Vagrant and hypervisor CLIs)", () => {
  describe("every provider: hard stop by the real id from .vm/vagrant/machines/<m>/<provider>/id", () => {
    for (const c of providers) {
      it.effect(`${c.provider}: a locked \`vagrant halt --force\` is passed over, then \`${c.stop("<id>").join(" ")}\``, () =>
        Effect.gen(function*() {
          const power: Power = { on: true }
          // vm.yaml names docker in every case: only the data directory decides
          const { calls, dir, result } = yield* killIn({
            ids: (d) => ({ [c.provider]: c.id(d) }),
            vagrant: vagrantScript(LOCKED_HALT),
            hypervisors: (d) => c.script(power, d)
          })
          const id = c.id(dir)
          // libvirt's forced halt only sends ACPI: it cannot stop a hung guest, so it is not tried
          const asksGuest = providerModule(c.provider)?.forcedHaltOnlyAsksGuest === true
          expect(calls).toEqual(asksGuest ? [c.query(id), c.stop(id), c.query(id)] : [c.query(id), HALT, c.stop(id), c.query(id)])
          const report = reportOf(result)
          expect(report).toMatchObject({ name: "dev", provider: c.provider, machineId: id, step: "hypervisor-stop", warnings: [] })
          expect(report.stepsTried).toMatchObject([
            ...(asksGuest
              ? []
              : [{ step: "vagrant-halt", command: "vagrant halt --force dev", outcome: "failed", error: expect.stringContaining("lock") }]),
            { step: "hypervisor-stop", outcome: "stopped" }
          ])
          expect(report.durationMs).toBeLessThan(KILL_BUDGET_MS)
          expect(power.on).toBe(false)
        }))
    }

    it.effect("the forced halt skips Vagrant's plugins only for providers built into Vagrant (docker, virtualbox, hyperv)", () =>
      Effect.gen(function*() {
        const halts: Record<string, boolean> = {}
        for (const c of providers) {
          const power: Power = { on: true }
          const { vagrantCalls } = yield* killIn({
            ids: (d) => ({ [c.provider]: c.id(d) }),
            vagrant: vagrantScript(LOCKED_HALT),
            hypervisors: (d) => c.script(power, d)
          })
          for (const call of vagrantCalls) if (call.args[0] === "halt") halts[c.provider] = call.plugins
        }
        // libvirt's halt is not tried (it only asks the guest); the plugin providers load their plugin
        expect(halts).toEqual({ docker: false, virtualbox: false, hyperv: false, vmware_desktop: true, parallels: true })
      }))

    it.effect("the provider directory that holds an id wins over vm.yaml and over empty provider directories", () =>
      Effect.gen(function*() {
        const power: Power = { on: true }
        const { calls, result } = yield* killIn({
          configProvider: "docker",
          ids: () => ({ docker: "", virtualbox: VBOX_UUID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: (d) => vboxCase.script(power, d)
        })
        expect(reportOf(result)).toMatchObject({ provider: "virtualbox", machineId: VBOX_UUID })
        expect(calls.some((c) => c[0] === "docker")).toBe(false)
      }))

    it.effect("libvirt uses the connection URI from vm.yaml", () =>
      Effect.gen(function*() {
        const power: Power = { on: true }
        const { calls, result } = yield* killIn({
          extraYaml: "  libvirt:\n    uri: qemu:///session\n",
          ids: () => ({ libvirt: LIBVIRT_UUID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({
            virsh: (args) => args[2] === "domstate" ? ok(power.on ? "running\n" : "shut off\n") : switchOff(power)
          })
        })
        expect(reportOf(result).step).toBe("hypervisor-stop")
        expect(calls).toContainEqual(["virsh", "-c", "qemu:///session", "destroy", LIBVIRT_UUID])
      }))
  })

  describe("libvirt (vagrant halt --force only sends ACPI)", () => {
    it.effect("a virsh destroy that outlives its timeout but takes effect (libvirtd finishes it) counts as stopped", () =>
      Effect.gen(function*() {
        const power: Power = { on: true }
        const { calls, result } = yield* killIn({
          ids: () => ({ libvirt: LIBVIRT_UUID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({
            virsh: (args) =>
              args[2] === "domstate"
                ? ok(power.on ? "running\n" : "shut off\n")
                // the client gives up, the daemon still destroys the domain
                : Effect.zipRight(Effect.sync(() => (power.on = false)), Effect.never)
          })
        })
        const report = reportOf(result)
        expect(calls.some((c) => c[0] === "vagrant")).toBe(false)
        expect(report.step).toBe("hypervisor-stop")
        expect(report.stepsTried).toMatchObject([{ step: "hypervisor-stop", outcome: "stopped", error: expect.stringContaining("went off") }])
        expect(report.durationMs).toBeLessThan(KILL_BUDGET_MS)
      }))
  })

  describe("the ladder", () => {
    it.effect("a working `vagrant halt --force` is enough: no hypervisor stop", () =>
      Effect.gen(function*() {
        const power: Power = { on: true }
        const { calls, result } = yield* killIn({
          ids: () => ({ docker: DOCKER_ID }),
          vagrant: vagrantScript(switchOff(power)),
          hypervisors: (d) => dockerCase.script(power, d)
        })
        expect(calls).toEqual([dockerCase.query(DOCKER_ID), HALT, dockerCase.query(DOCKER_ID)])
        const report = reportOf(result)
        expect(report.step).toBe("vagrant-halt")
        expect(report.stepsTried).toMatchObject([{ step: "vagrant-halt", outcome: "stopped" }])
      }))

    it.effect("a hanging `vagrant halt` is abandoned after its timeout and the hard stop still ends within 5 s", () =>
      Effect.gen(function*() {
        const power: Power = { on: true }
        const { calls, result } = yield* killIn({
          ids: () => ({ docker: DOCKER_ID }),
          vagrant: vagrantScript(Effect.never),
          hypervisors: (d) => dockerCase.script(power, d)
        })
        // after the timeout one state query: a halt cut off by its timeout may have worked all the same
        expect(calls).toEqual([
          dockerCase.query(DOCKER_ID),
          HALT,
          dockerCase.query(DOCKER_ID),
          dockerCase.stop(DOCKER_ID),
          dockerCase.query(DOCKER_ID)
        ])
        const report = reportOf(result)
        expect(report.step).toBe("hypervisor-stop")
        const [halt, stop] = report.stepsTried
        expect(halt).toMatchObject({ step: "vagrant-halt", outcome: "timeout" })
        expect(halt!.durationMs).toBeGreaterThanOrEqual(KILL_TIMINGS.haltMs)
        expect(halt!.durationMs).toBeLessThan(KILL_TIMINGS.haltMs + 200)
        expect(stop).toMatchObject({ step: "hypervisor-stop", outcome: "stopped" })
        // test-clock time: the whole kill, hang included
        expect(report.durationMs).toBeLessThan(KILL_BUDGET_MS)
      }))

    it.effect("a hard stop that fails leaves a KillFailed naming every step tried", () =>
      Effect.gen(function*() {
        const { calls, result } = yield* killIn({
          ids: () => ({ docker: DOCKER_ID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({
            docker: (args) =>
              args[0] === "inspect"
                ? ok("running\n")
                : exit(1, `Error response from daemon: Cannot kill container: ${DOCKER_ID}: permission denied`)
          })
        })
        const error = errorOf(result)
        expect(error._tag).toBe("KillFailed")
        expect(error.message).toContain("vagrant halt --force dev: failed")
        expect(error.message).toContain("docker kill 3f2a9c0d5e6b…: failed (Error response from daemon: Cannot kill container")
        expect(calls).toEqual([dockerCase.query(DOCKER_ID), HALT, dockerCase.stop(DOCKER_ID)])
      }))

    it.effect("a hard stop that succeeds while the machine keeps running is not reported as stopped", () =>
      Effect.gen(function*() {
        const { result } = yield* killIn({
          ids: () => ({ docker: DOCKER_ID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({ docker: (args) => args[0] === "inspect" ? ok("running\n") : ok(`${DOCKER_ID}\n`) })
        })
        const error = errorOf(result)
        expect(error._tag).toBe("KillFailed")
        expect(error.message).toContain("docker kill 3f2a9c0d5e6b…: not-stopped (still running)")
      }))

    it.effect("VBoxManage failing to power off → the VBoxHeadless process of that uuid is killed", () =>
      Effect.gen(function*() {
        const processes = new Map<number, ReadonlyArray<string>>([
          [4100, ["/usr/lib/virtualbox/VBoxHeadless", "--comment", "dev", "--startvm", VBOX_UUID, "--vrde", "config"]],
          [4200, ["/usr/lib/virtualbox/VBoxHeadless", "--comment", "other", "--startvm", "11111111-2222-4333-8444-555555555555"]],
          [4300, ["vim", "--startvm", VBOX_UUID]]
        ])
        const { calls, result } = yield* killIn({
          ids: () => ({ virtualbox: VBOX_UUID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({
            processes,
            vboxmanage: (args) =>
              args[0] === "showvminfo"
                ? ok(`VMState="${processes.has(4100) ? "running" : "aborted"}"\n`)
                : exit(1, "VBoxManage: error: Machine in invalid state 5 -- stopping")
          })
        })
        const report = reportOf(result)
        expect(report.step).toBe("process-kill")
        expect(report.stepsTried.map((s) => [s.step, s.outcome])).toEqual([
          ["vagrant-halt", "failed"],
          ["hypervisor-stop", "failed"],
          ["process-kill", "stopped"]
        ])
        expect(calls.filter((c) => c[0] === "kill")).toEqual([["kill", "-KILL", "4100"]])
        expect([...processes.keys()]).toEqual([4200, 4300])
      }))

    it.effect("VBoxManage hanging on every call → process kill, all within 5 s of test clock", () =>
      Effect.gen(function*() {
        const processes = new Map<number, ReadonlyArray<string>>([
          [4100, ["/usr/lib/virtualbox/VBoxHeadless", "--comment", "dev", "--startvm", VBOX_UUID, "--vrde", "config"]]
        ])
        const { calls, result } = yield* killIn({
          ids: () => ({ virtualbox: VBOX_UUID }),
          vagrant: vagrantScript(Effect.never),
          hypervisors: () => ({ processes, vboxmanage: () => Effect.never })
        })
        const report = reportOf(result)
        expect(report.step).toBe("process-kill")
        expect(report.stepsTried.map((s) => [s.step, s.outcome])).toEqual([
          ["vagrant-halt", "timeout"],
          ["hypervisor-stop", "timeout"],
          ["process-kill", "stopped"]
        ])
        expect(report.durationMs).toBeLessThan(KILL_BUDGET_MS)
        // the first state query timed out too: the saved-state warning could not be checked, and says so
        expect(report.warnings).toEqual([expect.stringMatching(/could not read the machine's state first \(timed out.*saved memory state is discarded/)])
        // after each timed-out step one (hanging, bounded) state query checks whether it worked anyway
        expect(calls).toEqual([
          ["VBoxManage", "showvminfo", VBOX_UUID, "--machinereadable"],
          HALT,
          ["VBoxManage", "showvminfo", VBOX_UUID, "--machinereadable"],
          ["VBoxManage", "controlvm", VBOX_UUID, "poweroff"],
          ["VBoxManage", "showvminfo", VBOX_UUID, "--machinereadable"],
          ["kill", "-KILL", "4100"]
        ])
      }))

    it.effect("a machine that is already off is left alone: the halt started alongside the look is stopped and awaited", () =>
      Effect.gen(function*() {
        const power: Power = { on: false }
        const halt = { ended: false }
        // a real halt spends its first half second starting Ruby; this one never gets further
        const starting = Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (halt.ended = true))))
        const { calls, result } = yield* killIn({
          ids: () => ({ docker: DOCKER_ID }),
          vagrant: vagrantScript(starting),
          hypervisors: (d) => dockerCase.script(power, d)
        })
        const report = reportOf(result)
        expect(report).toMatchObject({ step: "already-off", stepsTried: [], warnings: [] })
        expect(report.durationMs).toBeLessThan(200)
        expect(halt.ended).toBe(true)
        expect(calls).toEqual([dockerCase.query(DOCKER_ID), HALT])
        expect(power.on).toBe(false)
      }))

    it.effect("the halt runs with the Vagrantfile on disk (what the machine runs with); one is written only when there is none", () =>
      Effect.gen(function*() {
        for (const onDisk of ["# what dev booted with\n", undefined]) {
          const power: Power = { on: true }
          const { result, root } = yield* killIn({
            ids: () => ({ docker: DOCKER_ID }),
            vagrant: vagrantScript(switchOff(power)),
            hypervisors: (d) => dockerCase.script(power, d),
            ...(onDisk === undefined ? {} : { vagrantfile: onDisk })
          })
          expect(reportOf(result).step).toBe("vagrant-halt")
          const text = Fs.readFileSync(Path.join(root, "Vagrantfile.vmtool"), "utf8")
          if (onDisk === undefined) expect(text).toContain("Vagrant.configure(\"2\")")
          else expect(text).toBe(onDisk)
        }
      }))

    it.effect("a running machine: the look and the halt start together, and only a failed halt waits for the look", () =>
      Effect.gen(function*() {
        const power: Power = { on: true }
        // the look answers after 400 ms; the halt is refused after 300 ms (its Ruby start-up)
        const slowLook: HypervisorScript = {
          docker: (args) =>
            args[0] === "inspect" && !("looked" in power)
              ? Effect.zipRight(Effect.sleep("400 millis"), Effect.sync(() => {
                Object.assign(power, { looked: true })
                return { stdout: "running\n" }
              }))
              : dockerCase.script(power, "").docker!(args)
        }
        const { calls, result } = yield* killIn({
          ids: () => ({ docker: DOCKER_ID }),
          vagrant: vagrantScript(Effect.zipRight(Effect.sleep("300 millis"), LOCKED_HALT)),
          hypervisors: () => slowLook
        })
        const report = reportOf(result)
        expect(report.step).toBe("hypervisor-stop")
        expect(report.stepsTried.map((s) => [s.step, s.outcome])).toEqual([["vagrant-halt", "failed"], ["hypervisor-stop", "stopped"]])
        // one after the other would be 700 ms before the hard stop
        expect(report.durationMs).toBeLessThan(600)
        expect(calls).toEqual([dockerCase.query(DOCKER_ID), HALT, dockerCase.stop(DOCKER_ID), dockerCase.query(DOCKER_ID)])
      }))

    it.effect("a saved VirtualBox VM warns that its saved memory is discarded, and discards it", () =>
      Effect.gen(function*() {
        let state = "saved"
        const { calls, result } = yield* killIn({
          ids: () => ({ virtualbox: VBOX_UUID }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({
            vboxmanage: (args) =>
              args[0] === "showvminfo"
                ? ok(`VMState="${state}"\n`)
                : args[0] === "discardstate"
                ? Effect.sync(() => {
                  state = "poweroff"
                  return {}
                })
                : notScripted
          })
        })
        const report = reportOf(result)
        expect(report.warnings).toEqual(["'dev' was saved: its saved memory state is discarded (the disk is kept)"])
        expect(report.stepsTried[1]).toMatchObject({ command: `VBoxManage discardstate ${VBOX_UUID}`, outcome: "stopped" })
        expect(calls).toContainEqual(["VBoxManage", "discardstate", VBOX_UUID])
      }))

    it.effect("an id file that is not an id never reaches a command line", () =>
      Effect.gen(function*() {
        const { calls, result } = yield* killIn({
          ids: () => ({ docker: "--rm -f /" }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({})
        })
        const error = errorOf(result)
        expect(error._tag).toBe("KillFailed")
        expect(error.message).toContain("is not a container id")
        expect(calls).toEqual([HALT])
      }))

    it.effect("a machine that was never created is VmNotRunning, and nothing runs", () =>
      Effect.gen(function*() {
        const { calls, result } = yield* killIn({ ids: () => ({}), vagrant: vagrantScript(LOCKED_HALT), hypervisors: () => ({}) })
        expect(errorOf(result)._tag).toBe("VmNotRunning")
        expect(calls).toEqual([])
      }))
  })

  describe("a provider without a known hard stop", () => {
    it.effect("`vagrant halt --force` refused → ProviderUnsupported saying what was tried and suggesting destroy", () =>
      Effect.gen(function*() {
        const { calls, result, vagrantCalls } = yield* killIn({
          ids: () => ({ aws: "i-0123456789abcdef0" }),
          vagrant: vagrantScript(LOCKED_HALT),
          hypervisors: () => ({})
        })
        // a provider vm does not know is a plugin: Vagrant loads its plugins
        expect(vagrantCalls).toEqual([{ args: ["halt", "--force", "dev"], plugins: true }])
        const error = errorOf(result)
        expect(error._tag).toBe("ProviderUnsupported")
        expect(error.message).toContain("provider 'aws' does not support force kill")
        expect(error.message).toContain("tried vagrant halt --force dev: failed")
        expect(error.message).toContain("`vm destroy --force dev`")
        expect(calls).toEqual([HALT])
      }))

    it.effect("`vagrant halt --force` that works is verified with `vagrant status`", () =>
      Effect.gen(function*() {
        let state = "running"
        const { calls, result } = yield* killIn({
          ids: () => ({ aws: "i-0123456789abcdef0" }),
          vagrant: vagrantScript(Effect.sync(() => {
            state = "stopped"
            return {}
          }), () => state),
          hypervisors: () => ({})
        })
        expect(reportOf(result)).toMatchObject({ provider: "aws", machineId: "i-0123456789abcdef0", step: "vagrant-halt" })
        expect(calls).toEqual([HALT, ["vagrant", "status", "dev", "--machine-readable"]])
      }))
  })
})
