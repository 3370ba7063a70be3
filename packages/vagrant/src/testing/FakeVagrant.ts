import { CommandFailed, SshFailed } from "@vm/core"
import { ProcessRunner, type RunResult } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { execFileSync } from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { ENV_FILE } from "../render/envScript.js"
import { scriptedCli } from "../hypervisors/cli.js"
import { DockerCliFake } from "../hypervisors/DockerCli.js"
import { VBoxManageFake } from "../hypervisors/VBoxManage.js"
import { VirshFake } from "../hypervisors/Virsh.js"
import { HyperVFake } from "../hypervisors/HyperV.js"
import { PrlctlFake } from "../hypervisors/Prlctl.js"
import { VmrunFake } from "../hypervisors/Vmrun.js"
import { PRLCTL_LIST_UNKNOWN_VM } from "./fixtures/prlctl.js"
import type { CliRun } from "./fixtures/types.js"
import { VIRSH_DESTROY_NOT_RUNNING, VIRSH_DOMSTATE_UNKNOWN_UUID } from "./fixtures/virsh.js"
import { VMRUN_STOP_HARD_NOT_RUNNING } from "./fixtures/vmrun.js"
import { vboxNotFound, vboxString, withId } from "./vboxOutput.js"

/**
 * What `vagrant up` prints when the provider's machine still exists under the name Vagrant would give a new one
 * (its data directory was lost): vagrant-libvirt's DomainNameExists (locales/en.yml), the docker daemon's name conflict.
 */
const NAME_TAKEN: Readonly<Record<string, (root: string, machine: string, id: string) => string>> = {
  [libvirt.name]: (root, machine) =>
    `Name \`${libvirtDomainName(root, machine)}\` of domain about to create is already taken. Please try to run\n\`vagrant up\` command again.`,
  [docker.name]: (_root, _machine, id) =>
    `docker: Error response from daemon: Conflict. The container name is already in use by container "${id}".`
}
const nameTaken = (provider: string, root: string, machine: string, id: string) =>
  NAME_TAKEN[provider]?.(root, machine, id) ?? `The machine's name is already taken by ${id}.`

/** What the fake CLI answers: exactly a recorded run's streams and exit code. */
const answerOf = (run: CliRun): Partial<RunResult> => ({ stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode })
import { docker } from "../providers/docker.js"
import { hyperv } from "../providers/hyperv.js"
import { libvirt, libvirtDomainName } from "../providers/libvirt.js"
import { parallels } from "../providers/parallels.js"
import { providerModule } from "../providers/registry.js"
import { virtualbox } from "../providers/virtualbox.js"
import { vmware } from "../providers/vmware.js"
import { SshClient, sshHostFake } from "../SshClient.js"
import { DOTFILE_PATH, VAGRANTFILE_NAME, VagrantRunner } from "../VagrantRunner.js"

export interface FakeCall {
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly provider: string | undefined
}

type FakeState = "not_created" | "running" | "stopped"

/**
 * A simulated Vagrant for unit tests: it reads the machines defined in Vagrantfile.vmtool, keeps their
 * states, writes/removes the provider id file exactly where Vagrant does, and records every call.
 * Its SshClient runs the remote command with the local `sh`, so quoting is tested for real
 * (point `project.workspace_path` at a local directory).
 *
 * Like Vagrant it runs the `vm-env` provisioner (run: always) on every up/reload, with the guest's
 * /etc/profile.d moved into a private directory that exec then sources. Synced folders whose guest
 * path lies under the OS temp dir become symlinks to their source: made when the machine is created,
 * and (except for the docker provider, as in Vagrant) re-synced on reload and up.
 *
 * Its docker and VBoxManage answer the state queries (`docker inspect`, `VBoxManage showvminfo`)
 * from the same simulated machines.
 */
export const makeFakeVagrant = Effect.gen(function*() {
  const calls = yield* Ref.make<ReadonlyArray<FakeCall>>([])
  const states = new Map<string, FakeState>()
  /** Project roots seen in calls (where the id files live). */
  const knownRoots = new Set<string>()
  /** Machine → remote commands it received. */
  const sshLog = yield* Ref.make<ReadonlyArray<{ host: string; command: string }>>([])
  /** Test hook: make a command hang (never answer) to exercise timeouts. */
  const hangs = new Set<string>()
  /** Test hook: the next call of a verb fails once with this output. */
  const failNext = new Map<string, string>()
  /** Test hook: commands refused as if another Vagrant process held the machine lock. */
  const locked = new Set<string>()
  /** Per machine: the simulated guest root (its /etc/profile.d) and the folder links it has. */
  const guestRoot = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-fake-guest-"))
  const links = new Map<string, Set<string>>()
  const envFileOf = (machine: string) => Path.join(guestRoot, machine, ENV_FILE)

  /** The block of `config.vm.define '<machine>'` in the rendered file. */
  const defineBlock = (text: string, machine: string): string => {
    const start = text.indexOf(`config.vm.define '${machine}'`)
    if (start < 0) return ""
    const next = text.indexOf("config.vm.define '", start + 1)
    return text.slice(start, next < 0 ? undefined : next)
  }

  const runEnvProvisioner = (cwd: string, machine: string) => {
    const block = defineBlock(Fs.readFileSync(Path.join(cwd, VAGRANTFILE_NAME), "utf8"), machine)
    const at = block.indexOf("inline: ", block.indexOf("m.vm.provision 'vm-env'"))
    if (at < 0) throw new Error(`FakeVagrant: no vm-env provisioner for ${machine}`)
    const script = readRubyString(block, at + "inline: ".length)
    Fs.mkdirSync(Path.join(guestRoot, machine, "etc/profile.d"), { recursive: true })
    execFileSync("sh", ["-c", script.replaceAll("/etc/profile.d", Path.join(guestRoot, machine, "etc/profile.d"))])
  }

  const syncFolders = (cwd: string, machine: string) => {
    const text = Fs.readFileSync(Path.join(cwd, VAGRANTFILE_NAME), "utf8")
    const wanted = new Map<string, string>()
    for (const m of text.matchAll(/config\.vm\.synced_folder '((?:[^'\\]|\\.)*)', '((?:[^'\\]|\\.)*)'/g)) {
      const unescape = (s: string) => s.replace(/\\(.)/g, "$1")
      const target = unescape(m[2]!)
      if (target.startsWith(Os.tmpdir() + "/")) wanted.set(target, unescape(m[1]!))
    }
    const mine = links.get(machine) ?? new Set<string>()
    for (const target of mine) {
      let current: string | undefined
      try {
        current = Fs.readlinkSync(target, { encoding: "utf8" })
      } catch {
        current = undefined
      }
      if (wanted.get(target) !== current) {
        Fs.rmSync(target, { force: true })
        mine.delete(target)
      }
    }
    for (const [target, source] of wanted) {
      if (mine.has(target) || Fs.existsSync(target)) continue
      Fs.mkdirSync(Path.dirname(target), { recursive: true })
      Fs.symlinkSync(source, target)
      mine.add(target)
    }
    links.set(machine, mine)
  }
  const unmountAll = (machine: string) => {
    for (const target of links.get(machine) ?? []) Fs.rmSync(target, { force: true })
    links.delete(machine)
  }
  /** What each hypervisor holds, whatever Vagrant's data directory says: machine → its id. */
  const hypervisorIds = new Map<string, { readonly id: string; readonly provider: string; readonly root: string }>()
  /** Test hook: machines whose sshd accepts connections but never answers (a frozen guest). */
  const frozen = new Set<string>()
  /** When each machine last started (docker StartedAt, VirtualBox VMStateChangeTime). */
  const startedAt = new Map<string, string>()
  /** Calls of the simulated docker and VBoxManage CLIs (tool first). */
  const hypervisorCalls = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])

  const defined = (cwd: string): string[] => {
    const file = Path.join(cwd, VAGRANTFILE_NAME)
    if (!Fs.existsSync(file)) return []
    return [...Fs.readFileSync(file, "utf8").matchAll(/config\.vm\.define '([^']+)'/g)].map((m) => m[1]!)
  }
  const providerOf = (call: FakeCall) => call.provider ?? docker.name
  /** Folders fixed when the machine is created (docker bind mounts): reload does not re-sync them. */
  const fixedAtCreation = (call: FakeCall) => providerModule(providerOf(call))?.hardwareChange === "recreate"
  const idFile = (call: FakeCall, machine: string) =>
    Path.join(call.cwd, DOTFILE_PATH, "machines", machine, providerOf(call), "id")
  const ok = (stdout = ""): RunResult => ({ exitCode: 0, stdout, stderr: "", durationMs: 1 })
  const fail = (call: FakeCall, message: string) =>
    Effect.fail(new CommandFailed({ command: ["vagrant", ...call.args], exitCode: 1, stderrTail: message }))

  const run = (args: ReadonlyArray<string>, call: { cwd: string; provider?: string }) =>
    Effect.gen(function*() {
      const c: FakeCall = { args: [...args], cwd: call.cwd, provider: call.provider }
      knownRoots.add(call.cwd)
      yield* Ref.update(calls, (all) => [...all, c])
      if (hangs.has(args[0]!)) return yield* Effect.never
      const failure = failNext.get(args[0]!)
      if (failure !== undefined) {
        failNext.delete(args[0]!)
        return yield* fail(c, failure)
      }
      if (locked.has(args[0]!)) {
        return yield* fail(
          c,
          `An action '${args[0]}' was attempted on the machine,\nbut another process is already executing an action on the machine.`
        )
      }
      const machines = defined(call.cwd)
      if (machines.length === 0) return yield* fail(c, "A Vagrant environment or target machine is required")
      const [verb, ...rest] = args
      const target = rest.find((a) => !a.startsWith("-"))
      if (target !== undefined && !machines.includes(target)) {
        return yield* fail(c, `The machine with the name '${target}' was not found configured for this Vagrant environment.`)
      }
      const state = (m: string) => states.get(m) ?? "not_created"
      /** What the provider calls the state: a halted VirtualBox VM is `poweroff`, a libvirt domain `shutoff`, … */
      const rawState = (call: FakeCall, m: string) =>
        state(m) === "stopped" ? providerModule(providerOf(call))?.offState ?? "stopped" : state(m)
      switch (verb) {
        case "up": {
          const file = idFile(c, target!)
          if (!Fs.existsSync(file) && hypervisorIds.has(target!)) {
            // the hypervisor still has the machine, Vagrant lost its id: creating it again collides on the name
            return yield* fail(c, nameTaken(providerOf(c), call.cwd, target!, hypervisorIds.get(target!)!.id))
          }
          const creating = state(target!) === "not_created"
          if (state(target!) !== "running") startedAt.set(target!, new Date().toISOString())
          states.set(target!, "running")
          if (!Fs.existsSync(file)) {
            const id = newMachineId(providerOf(c), target!)
            Fs.mkdirSync(Path.dirname(file), { recursive: true })
            Fs.writeFileSync(file, id)
            // the first boot replaces Vagrant's insecure key in the guest and keeps the new one here
            // (Vagrant's plugins/communicators/ssh/communicator.rb, insert_key)
            Fs.writeFileSync(Path.join(Path.dirname(file), "private_key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n-----END OPENSSH PRIVATE KEY-----\n", { mode: 0o600 })
            hypervisorIds.set(target!, { id, provider: providerOf(c), root: call.cwd })
          }
          if (creating || !fixedAtCreation(c)) syncFolders(call.cwd, target!)
          runEnvProvisioner(call.cwd, target!)
          return ok(`Bringing machine '${target}' up with '${providerOf(c)}' provider...\n==> ${target}: Machine booted and ready!\n`)
        }
        case "halt":
          if (state(target!) === "running") states.set(target!, "stopped")
          return ok()
        case "reload":
          if (state(target!) === "not_created") return yield* fail(c, "The machine is not created.")
          startedAt.set(target!, new Date().toISOString())
          states.set(target!, "running")
          if (!fixedAtCreation(c)) syncFolders(call.cwd, target!)
          runEnvProvisioner(call.cwd, target!)
          return ok()
        case "destroy":
          // Vagrant knows a machine by its id file only: without one there is nothing it can destroy
          if (!Fs.existsSync(idFile(c, target!))) return ok(`==> ${target}: VM not created. Moving on...\n`)
          hypervisorIds.delete(target!)
          states.delete(target!)
          unmountAll(target!)
          Fs.rmSync(Path.join(guestRoot, target!), { recursive: true, force: true })
          Fs.rmSync(Path.dirname(idFile(c, target!)), { recursive: true, force: true })
          return ok()
        case "provision":
          if (state(target!) !== "running") return yield* fail(c, "The machine is not running.")
          return ok()
        case "ssh-config":
          if (state(target!) !== "running") return yield* fail(c, "The container is not currently running.")
          return ok(`Host ${target}\n  HostName 127.0.0.1\n  User vagrant\n  Port 2222\n`)
        case "status": {
          const shown = target ? [target] : machines
          const ts = 1700000000
          return ok(
            shown.map((m) =>
              [
                `${ts},${m},metadata,provider,${providerOf(c)}`,
                `${ts},${m},provider-name,${providerOf(c)}`,
                `${ts},${m},state,${rawState(c, m)}`,
                `${ts},${m},state-human-short,${rawState(c, m).replace("_", " ")}`
              ].join("\n")
            ).join("\n") + "\n"
          )
        }
        default:
          return yield* Effect.dieMessage(`FakeVagrant: unsupported command ${args.join(" ")}`)
      }
    })

  /** The machine whose provider id (docker: container id, VirtualBox: uuid) is `id`. */
  /** The machines a hypervisor holds, with their ids: each fake tool sees only its own provider's. */
  const machinesOf = (provider: string) => [...hypervisorIds].flatMap(([m, h]) => (h.provider === provider ? [{ machine: m, ...h }] : []))
  const machineById = (id: string, provider: string) => machinesOf(provider).find((h) => h.id === id)?.machine
  /** The docker CLI takes a container's id or any prefix of it. */
  const containerById = (id: string) => machinesOf(docker.name).find((h) => h.id.startsWith(id))?.machine

  /**
   * The docker CLI behind the docker provider, over the same machines: `inspect --format {{.State.Status}}`
   * and `kill` (what `vm kill` uses), `inspect --type container --format '{{.Id}} {{json .State}}' ID…`
   * (what the state queries use). Plug into `makeFakeHypervisors({ docker: fake.dockerAnswer })`.
   */
  const dockerAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      if (args[0] === "inspect" && args.includes("{{.Id}} {{json .State}}")) {
        const ids = args.slice(args.indexOf("{{.Id}} {{json .State}}") + 1)
        const found = ids.flatMap((id) => {
          const m = containerById(id)
          const status = states.get(m ?? "") === "running" ? "running" : "exited"
          return m === undefined ? [] : [`${id} ${JSON.stringify({ Status: status, StartedAt: startedAt.get(m) ?? "" })}\n`]
        })
        const missing = ids.filter((id) => containerById(id) === undefined)
        return {
          exitCode: missing.length === 0 ? 0 : 1,
          stdout: found.join(""),
          stderr: missing.map((id) => `Error response from daemon: No such container: ${id}\n`).join("")
        }
      }
      const id = args[args.length - 1]!
      const machine = containerById(id)
      if (machine === undefined) return { exitCode: 1, stderr: `Error: No such object: ${id}` }
      if (args[0] === "inspect") return { stdout: states.get(machine) === "running" ? "running\n" : "exited\n" }
      if (args[0] === "rm") {
        // `docker rm -f -v`: the container is gone; Vagrant's next `up` creates a new one with a new id
        hypervisorIds.delete(machine)
        states.delete(machine)
        unmountAll(machine)
        Fs.rmSync(Path.join(guestRoot, machine), { recursive: true, force: true })
        for (const dir of knownRoots) Fs.rmSync(Path.join(dir, DOTFILE_PATH, "machines", machine, docker.name, "id"), { force: true })
        return { stdout: `${id}\n` }
      }
      if (args[0] === "kill") {
        if (states.get(machine) !== "running") return { exitCode: 1, stderr: `Error response from daemon: container ${id} is not running` }
        states.set(machine, "stopped")
        return { stdout: `${id}\n` }
      }
      return undefined
    })

  /**
   * VirtualBox over the same machines: `showvminfo UUID --machinereadable`, `controlvm UUID poweroff`,
   * `discardstate UUID`; an unknown uuid fails as VBoxManage does (testing/fixtures/vboxmanage.ts).
   */
  const vboxAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      const uuid = args[0] === "controlvm" || args[0] === "showvminfo" || args[0] === "discardstate" ? args[1]! : undefined
      if (uuid === undefined) return undefined
      const machine = machineById(uuid, virtualbox.name)
      if (machine === undefined) return { exitCode: 1, stderr: vboxNotFound(uuid) }
      if (args[0] === "controlvm" && args[2] === "poweroff") {
        if (states.get(machine) !== "running") {
          return { exitCode: 1, stderr: `VBoxManage: error: Machine '${machine}' is not currently running\n` }
        }
        states.set(machine, "stopped")
        return { stderr: "0%...10%...20%...30%...40%...50%...60%...70%...80%...90%...100%\n" }
      }
      if (args[0] === "discardstate") return {}
      if (args[2] !== "--machinereadable") return undefined
      const vmState = states.get(machine) === "running" ? "running" : "poweroff"
      return {
        stdout: [
          `name=${vboxString(machine)}`,
          `UUID=${vboxString(uuid)}`,
          `VMState=${vboxString(vmState)}`,
          `VMStateChangeTime=${vboxString(startedAt.get(machine) ?? "")}`,
          ""
        ].join("\n")
      }
    })

  /** VMware over the same machines (addressed by the .vmx path): `vmrun -T ws list`, `vmrun -T ws stop <vmx> hard`. */
  const vmrunAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      const [, , verb, vmx] = args
      if (verb === "list") {
        const running = machinesOf(vmware.name).filter((h) => states.get(h.machine) === "running").map((h) => h.id)
        return { stdout: [`Total running VMs: ${running.length}`, ...running, ""].join("\n") }
      }
      if (verb !== "stop" || vmx === undefined) return undefined
      const machine = machineById(vmx, vmware.name)
      if (machine === undefined || states.get(machine) !== "running") {
        return answerOf(withId(VMRUN_STOP_HARD_NOT_RUNNING, vmx))
      }
      states.set(machine, "stopped")
      return {}
    })

  /**
   * Hyper-V over the same machines: the two scripts of hypervisors/HyperV.ts, by VM GUID. The not-found
   * text is Hyper-V's recorded by-name message (fixtures/hyperv.ts HYPERV_GET_VM_NOT_FOUND_BY_NAME) with
   * "ID" for "name", as `Get-VM -Id` words it; no capture of the by-id form was found.
   */
  const powershellAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      const script = args.at(-1) ?? ""
      const guid = /Get-VM -Id '([^']+)'/.exec(script)?.[1]
      if (guid === undefined) return undefined
      const machine = machineById(guid, hyperv.name)
      if (machine === undefined) {
        return {
          exitCode: 1,
          stderr: `Hyper-V\\Get-VM : Hyper-V was unable to find a virtual machine with ID "${guid}".\r\n`
        }
      }
      if (script.includes("Stop-VM -TurnOff")) {
        states.set(machine, "stopped")
        return {}
      }
      return { stdout: states.get(machine) === "running" ? "Running\r\n" : "Off\r\n" }
    })

  /** Parallels over the same machines: `prlctl list <uuid> -o status --no-header`, `prlctl stop <uuid> --kill`. */
  const prlctlAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      const [verb, uuid] = args
      if ((verb !== "list" && verb !== "stop") || uuid === undefined) return undefined
      const machine = machineById(uuid, parallels.name)
      if (machine === undefined) {
        return answerOf(withId(PRLCTL_LIST_UNKNOWN_VM, uuid))
      }
      if (verb === "stop") {
        states.set(machine, "stopped")
        return { stdout: "Stopping the VM...\nThe VM has been successfully stopped.\n" }
      }
      return { stdout: states.get(machine) === "running" ? "running\n" : "stopped\n" }
    })

  /**
   * libvirt over the same machines: `virsh -c <uri> domstate <uuid>` prints the state and a blank line;
   * an unknown uuid fails as virsh does (exit 1, "failed to get domain"; testing/fixtures/virsh.ts).
   */
  const virshAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      const verb = args[0] === "-c" ? args[2] : args[0]
      const uuid = args[0] === "-c" ? args[3]! : args[1]!
      if (verb === "domuuid") {
        const found = machinesOf(libvirt.name).find((h) => libvirtDomainName(h.root, h.machine) === uuid)
        return found === undefined
          ? answerOf(withId(VIRSH_DOMSTATE_UNKNOWN_UUID, uuid))
          : { stdout: `${found.id}\n\n` }
      }
      if (verb === "undefine") {
        const machine = machineById(uuid, libvirt.name)
        if (machine === undefined) return answerOf(withId(VIRSH_DOMSTATE_UNKNOWN_UUID, uuid))
        hypervisorIds.delete(machine)
        states.delete(machine)
        return { stdout: `Domain '${uuid}' has been undefined\n\n` }
      }
      if (verb !== "domstate" && verb !== "destroy") return undefined
      const machine = machineById(uuid, libvirt.name)
      if (machine === undefined) {
        return answerOf(withId(VIRSH_DOMSTATE_UNKNOWN_UUID, uuid))
      }
      if (verb === "destroy") {
        if (states.get(machine) !== "running") {
          return answerOf(withId(VIRSH_DESTROY_NOT_RUNNING, uuid))
        }
        states.set(machine, "stopped")
        return { stdout: `Domain '${uuid}' destroyed\n\n` }
      }
      return { stdout: states.get(machine) === "running" ? "running\n\n" : "shut off\n\n" }
    })

  const vagrantLayer = Layer.succeed(VagrantRunner, VagrantRunner.of({ run }))

  const sshLayer = Layer.effect(
    SshClient,
    Effect.map(ProcessRunner, (processes) =>
      SshClient.of({
        exec: (target, command, options) =>
          Effect.gen(function*() {
            yield* Ref.update(sshLog, (all) => [...all, { host: target.host, command }])
            if (states.get(target.host) !== "running") {
              return yield* new SshFailed({ machine: target.host, reason: "connection refused" })
            }
            if (frozen.has(target.host)) return yield* Effect.never
            const r = yield* processes.run("sh", ["-c", command.replaceAll(ENV_FILE, envFileOf(target.host))], {
              timeoutMs: options.timeoutMs ?? 60_000,
              stdin: options.stdin === "inherit" ? "" : options.stdin ?? "",
              stdout: options.output,
              stderr: options.output,
              check: false
            }).pipe(Effect.mapError((e) => new SshFailed({ machine: target.host, reason: e.message })))
            return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }
          }),
        interactive: (target) =>
          states.get(target.host) === "running"
            ? Effect.succeed(0)
            : Effect.fail(new SshFailed({ machine: target.host, reason: "connection refused" })),
        disconnect: () => Effect.void,
        ...sshHostFake()
      }))
  )

  const dockerLayer = DockerCliFake(scriptedCli("docker", dockerAnswer, hypervisorCalls))
  const vboxLayer = VBoxManageFake(scriptedCli("VBoxManage", vboxAnswer, hypervisorCalls))
  const virshLayer = VirshFake(scriptedCli("virsh", virshAnswer, hypervisorCalls))
  const otherHypervisors = Layer.mergeAll(
    VmrunFake(scriptedCli("vmrun", vmrunAnswer, hypervisorCalls)),
    HyperVFake(scriptedCli("powershell.exe", powershellAnswer, hypervisorCalls)),
    PrlctlFake(scriptedCli("prlctl", prlctlAnswer, hypervisorCalls))
  )

  return {
    calls: Ref.get(calls),
    sshLog: Ref.get(sshLog),
    hypervisorCalls: Ref.get(hypervisorCalls),
    states,
    hangs,
    locked,
    failNext,
    frozen,
    dockerAnswer,
    vboxAnswer,
    virshAnswer,
    vmrunAnswer,
    powershellAnswer,
    prlctlAnswer,
    vagrantLayer,
    sshLayer,
    dockerLayer,
    vboxLayer,
    virshLayer,
    /** Vagrant, ssh and every hypervisor CLI over the same simulated machines. */
    layer: Layer.mergeAll(vagrantLayer, sshLayer, dockerLayer, vboxLayer, virshLayer, otherHypervisors)
  }
})

/** The id Vagrant's provider writes into `machines/<m>/<provider>/id`, in that provider's format. */
export const newMachineId = (provider: string, machine: string): string =>
  providerModule(provider)?.machineId.sample(machine, Crypto.randomBytes(16).toString("hex")) ?? Crypto.randomUUID()

/** Reads the Ruby string literal starting at `at`: single-quoted parts joined with `"\\r"` splices (see ruby.ts). */
export const readRubyString = (text: string, at: number): string => {
  let out = ""
  let i = at
  for (;;) {
    while (text[i] === " ") i++
    if (text.startsWith('"\\r"', i)) {
      out += "\r"
      i += 4
    } else if (text[i] === "'") {
      i++
      while (text[i] !== "'") {
        if (i >= text.length) throw new Error("FakeVagrant: unterminated Ruby string")
        if (text[i] === "\\" && (text[i + 1] === "'" || text[i + 1] === "\\")) i++
        out += text[i]
        i++
      }
      i++
    } else {
      return out
    }
  }
}
