import { CommandFailed, SshFailed } from "@vm/core/errors"
import { ProcessRunner, type RunResult } from "@vm/core/process/ProcessRunner"
import { Effect, Layer, Ref } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { scriptedCli } from "../hypervisors/cli.js"
import { DockerCli } from "../hypervisors/DockerCli.js"
import { VBoxManageFake } from "../hypervisors/VBoxManage.js"
import { SshClient } from "../SshClient.js"
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
 * (point `project.workspace_path` at a local directory). Its docker and VBoxManage answer the
 * state queries (`docker inspect`, `VBoxManage showvminfo`) from the same simulated machines.
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
  /** Test hook: commands refused as if another Vagrant process held the machine lock. */
  const locked = new Set<string>()
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
  const providerOf = (call: FakeCall) => call.provider ?? "docker"
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
      switch (verb) {
        case "up": {
          if (state(target!) !== "running") startedAt.set(target!, new Date().toISOString())
          states.set(target!, "running")
          const file = idFile(c, target!)
          if (!Fs.existsSync(file)) {
            Fs.mkdirSync(Path.dirname(file), { recursive: true })
            Fs.writeFileSync(file, Math.random().toString(16).slice(2).padEnd(16, "0"))
          }
          return ok(`Bringing machine '${target}' up with '${providerOf(c)}' provider...\n==> ${target}: Machine booted and ready!\n`)
        }
        case "halt":
          if (state(target!) === "running") states.set(target!, "stopped")
          return ok()
        case "reload":
          if (state(target!) === "not_created") return yield* fail(c, "The machine is not created.")
          startedAt.set(target!, new Date().toISOString())
          states.set(target!, "running")
          return ok()
        case "destroy":
          states.delete(target!)
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
                `${ts},${m},state,${state(m)}`,
                `${ts},${m},state-human-short,${state(m).replace("_", " ")}`
              ].join("\n")
            ).join("\n") + "\n"
          )
        }
        default:
          return yield* Effect.dieMessage(`FakeVagrant: unsupported command ${args.join(" ")}`)
      }
    })

  /** The machine whose provider id (docker: container id, VirtualBox: uuid) is `id`. */
  const machineById = (id: string, provider = "docker") =>
    [...states.keys()].find((m) => {
      for (const dir of knownRoots) {
        const file = Path.join(dir, DOTFILE_PATH, "machines", m, provider, "id")
        if (Fs.existsSync(file) && Fs.readFileSync(file, "utf8").trim() === id) return true
      }
      return false
    })

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
          const m = machineById(id)
          const status = states.get(m ?? "") === "running" ? "running" : "exited"
          return m === undefined ? [] : [`${id} ${JSON.stringify({ Status: status, StartedAt: startedAt.get(m) ?? "" })}\n`]
        })
        const missing = ids.filter((id) => machineById(id) === undefined)
        return {
          exitCode: missing.length === 0 ? 0 : 1,
          stdout: found.join(""),
          stderr: missing.map((id) => `Error response from daemon: No such container: ${id}\n`).join("")
        }
      }
      const id = args[args.length - 1]!
      const machine = machineById(id)
      if (machine === undefined) return { exitCode: 1, stderr: `Error: No such object: ${id}` }
      if (args[0] === "inspect") return { stdout: states.get(machine) === "running" ? "running\n" : "exited\n" }
      if (args[0] === "kill") {
        if (states.get(machine) !== "running") return { exitCode: 1, stderr: `Error response from daemon: container ${id} is not running` }
        states.set(machine, "stopped")
        return { stdout: `${id}\n` }
      }
      return undefined
    })

  /** VirtualBox over the same machines: `showvminfo UUID --machinereadable` (projects on the virtualbox provider). */
  const vboxAnswer = (args: ReadonlyArray<string>): Effect.Effect<Partial<RunResult> | undefined> =>
    Effect.sync(() => {
      if (args[0] !== "showvminfo" || args[2] !== "--machinereadable") return undefined
      const machine = machineById(args[1]!, "virtualbox")
      if (machine === undefined) {
        return { exitCode: 1, stderr: `VBoxManage: error: Could not find a registered machine with UUID {${args[1]}}\n` }
      }
      const vmState = states.get(machine) === "running" ? "running" : "poweroff"
      return { stdout: `name="${machine}"\nVMState="${vmState}"\nVMStateChangeTime="${startedAt.get(machine) ?? ""}"\n` }
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
            const r = yield* processes.run("sh", ["-c", command], {
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
        disconnect: () => Effect.void
      }))
  )

  const docker = scriptedCli("docker", dockerAnswer, hypervisorCalls)
  const dockerLayer = Layer.succeed(
    DockerCli,
    DockerCli.of({
      run: (args, options) =>
        docker(args, {
          timeoutMs: options.timeoutMs === "none" ? 24 * 3600_000 : options.timeoutMs,
          ...(options.check === undefined ? {} : { check: options.check })
        })
    })
  )
  const vboxLayer = VBoxManageFake(scriptedCli("VBoxManage", vboxAnswer, hypervisorCalls))

  return {
    calls: Ref.get(calls),
    sshLog: Ref.get(sshLog),
    hypervisorCalls: Ref.get(hypervisorCalls),
    states,
    hangs,
    locked,
    frozen,
    dockerAnswer,
    vboxAnswer,
    vagrantLayer,
    sshLayer,
    dockerLayer,
    vboxLayer,
    layer: Layer.mergeAll(vagrantLayer, sshLayer, dockerLayer, vboxLayer)
  }
})
