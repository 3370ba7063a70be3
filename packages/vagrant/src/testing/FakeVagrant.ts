import { CommandFailed, SshFailed } from "@vm/core/errors"
import { ProcessRunner, type RunResult } from "@vm/core/process/ProcessRunner"
import { Effect, Layer, Ref } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { DockerCli } from "../hypervisors/DockerCli.js"
import { VBoxManage } from "../hypervisors/VBoxManage.js"
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
  /** Machine → remote commands it received. */
  const sshLog = yield* Ref.make<ReadonlyArray<{ host: string; command: string }>>([])
  /** Test hook: make a command hang (never answer) to exercise timeouts. */
  const hangs = new Set<string>()
  /** Test hook: machines whose sshd accepts connections but never answers (a frozen guest). */
  const frozen = new Set<string>()
  /** Provider id → machine, and when each machine last started (docker StartedAt). */
  const ids = new Map<string, string>()
  const startedAt = new Map<string, string>()
  /** Calls of the simulated docker and VBoxManage CLIs. */
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
      yield* Ref.update(calls, (all) => [...all, c])
      if (hangs.has(args[0]!)) return yield* Effect.never
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
            const id = Math.random().toString(16).slice(2).padEnd(16, "0")
            Fs.writeFileSync(file, id)
            ids.set(id, target!)
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
          for (const [id, m] of ids) if (m === target) ids.delete(id)
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

  const stateOfId = (id: string) => {
    const machine = ids.get(id)
    return machine === undefined ? undefined : { machine, state: states.get(machine) ?? "not_created" }
  }

  // `docker inspect --type container --format '{{.Id}} {{json .State}}' ID...`, as docker answers it
  const dockerLayer = Layer.succeed(
    DockerCli,
    DockerCli.of({
      run: (args, options) =>
        Effect.gen(function*() {
          yield* Ref.update(hypervisorCalls, (all) => [...all, ["docker", ...args]])
          if (args[0] !== "inspect" || args[3] !== "--format") return yield* Effect.dieMessage(`FakeVagrant: unsupported docker ${args.join(" ")}`)
          const lines: Array<string> = []
          const missing: Array<string> = []
          for (const id of args.slice(5)) {
            const found = stateOfId(id)
            if (found === undefined) missing.push(id)
            else {
              const status = found.state === "running" ? "running" : "exited"
              lines.push(`${id} ${JSON.stringify({ Status: status, StartedAt: startedAt.get(found.machine) ?? "" })}`)
            }
          }
          const result: RunResult = {
            exitCode: missing.length === 0 ? 0 : 1,
            stdout: lines.map((l) => `${l}\n`).join(""),
            stderr: missing.map((id) => `Error response from daemon: No such container: ${id}\n`).join(""),
            durationMs: 1
          }
          if (result.exitCode !== 0 && options.check !== false) {
            return yield* new CommandFailed({ command: ["docker", ...args], exitCode: 1, stderrTail: result.stderr })
          }
          return result
        })
    })
  )

  // `VBoxManage showvminfo UUID --machinereadable`, for projects on the virtualbox provider
  const vboxLayer = Layer.succeed(
    VBoxManage,
    VBoxManage.of({
      run: (args, options) =>
        Effect.gen(function*() {
          yield* Ref.update(hypervisorCalls, (all) => [...all, ["VBoxManage", ...args]])
          if (args[0] !== "showvminfo") return yield* Effect.dieMessage(`FakeVagrant: unsupported VBoxManage ${args.join(" ")}`)
          const found = stateOfId(args[1] ?? "")
          if (found === undefined) {
            const stderr = `VBoxManage: error: Could not find a registered machine with UUID {${args[1]}}\n`
            if (options.check !== false) {
              return yield* new CommandFailed({ command: ["VBoxManage", ...args], exitCode: 1, stderrTail: stderr })
            }
            return { exitCode: 1, stdout: "", stderr, durationMs: 1 }
          }
          const vmState = found.state === "running" ? "running" : "poweroff"
          const stdout = `name="${found.machine}"\nVMState="${vmState}"\nVMStateChangeTime="${startedAt.get(found.machine) ?? ""}"\n`
          return { exitCode: 0, stdout, stderr: "", durationMs: 1 }
        })
    })
  )

  return {
    calls: Ref.get(calls),
    sshLog: Ref.get(sshLog),
    hypervisorCalls: Ref.get(hypervisorCalls),
    states,
    hangs,
    frozen,
    vagrantLayer,
    sshLayer,
    dockerLayer,
    vboxLayer,
    layer: Layer.mergeAll(vagrantLayer, sshLayer, dockerLayer, vboxLayer)
  }
})
