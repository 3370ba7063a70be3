import { describe, expect, it } from "@effect/vitest"
import { type CommandFailed, CommandTimeout, ToolNotInstalled } from "@vm/core/errors"
import type { RunResult } from "@vm/core/process/ProcessRunner"
import { Effect, Option, Ref } from "effect"
import * as Fs from "node:fs"
import type { DockerCliShape } from "../src/hypervisors/DockerCli.js"
import { scriptedCli } from "../src/hypervisors/cli.js"
import { makeVBoxManage } from "../src/hypervisors/VBoxManage.js"
import { parseVBoxInfo } from "../src/hypervisors/vboxInfo.js"
import { makeVirsh } from "../src/hypervisors/Virsh.js"
import type { ProviderTools } from "../src/providers/Provider.js"
import { moduleOf } from "../src/providers/registry.js"
import type { CliRun } from "../src/hypervisors/cli.js"
import { makeMachineStates } from "../src/status/machineStates.js"
import type { VagrantProviderName } from "@vm/core/config/schema"
import { emptyProjectConfig } from "./support/projectConfig.js"

const fixture = (name: string) => Fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")
// captured: `docker inspect --type container --format '{{.Id}} {{json .State}}' <running id> deadbeef0000`
const INSPECT_OUT = fixture("docker-inspect-state.txt")
const INSPECT_ERR = fixture("docker-inspect-state.stderr.txt")
const RUNNING_ID = INSPECT_OUT.split(" ")[0]!

type DockerAnswer = Effect.Effect<RunResult, CommandFailed | CommandTimeout | ToolNotInstalled>
const result = (stdout: string, stderr = "", exitCode = 0): RunResult => ({ exitCode, stdout, stderr, durationMs: 1 })

/** Deps whose tools record their calls; `vagrantStatus` answers with the given machine-readable text. */
const deps = (options: {
  provider: VagrantProviderName
  docker?: (args: ReadonlyArray<string>) => DockerAnswer
  vbox?: { readonly run: CliRun }
  virsh?: { readonly run: CliRun }
  vagrant?: string
}) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make<ReadonlyArray<string>>([])
    const log = (line: string) => Ref.update(calls, (all) => [...all, line])
    const docker: DockerCliShape = {
      run: (args) => Effect.zipRight(log(`docker ${args.join(" ")}`), options.docker?.(args) ?? Effect.dieMessage("no docker"))
    }
    const none: CliRun = () => Effect.dieMessage("unexpected tool call")
    const tools = {
      docker,
      vbox: makeVBoxManage(options.vbox?.run ?? none),
      virsh: makeVirsh(options.virsh?.run ?? none)
    } as unknown as ProviderTools
    const states = makeMachineStates({
      provider: moduleOf(options.provider),
      env: { tools, config: emptyProjectConfig },
      vagrantStatus: (machines) => Effect.as(log(`vagrant status ${machines.join(" ")}`), options.vagrant ?? ""),
      timeoutMs: 1000
    })
    return { states, calls: Ref.get(calls) }
  })

const vagrantRows = (rows: ReadonlyArray<readonly [string, string, string]>) =>
  rows.map(([m, p, s]) => `1700000000,${m},provider-name,${p}\n1700000000,${m},state,${s}\n`).join("")

describe("machine states on the docker provider", () => {
  it.effect("no id file: not created, without asking anyone", () =>
    Effect.gen(function*() {
      const { calls, states } = yield* deps({ provider: "docker" })
      const rows = yield* states([{ machine: "dev", id: Option.none() }])
      expect(rows).toEqual([{ machine: "dev", provider: "docker", raw: "not_created", since: null, source: "id-file" }])
      expect(yield* calls).toEqual([])
    }))

  it.effect("one docker inspect for all machines; a container docker does not know is gone", () =>
    Effect.gen(function*() {
      const { calls, states } = yield* deps({
        provider: "docker",
        docker: () => Effect.succeed(result(INSPECT_OUT, INSPECT_ERR, 1))
      })
      const rows = yield* states([
        { machine: "dev", id: Option.some(RUNNING_ID) },
        { machine: "old", id: Option.some("deadbeef0000") }
      ])
      expect(yield* calls).toEqual([
        `docker inspect --type container --format {{.Id}} {{json .State}} ${RUNNING_ID} deadbeef0000`
      ])
      expect(rows).toEqual([
        { machine: "dev", provider: "docker", raw: "running", since: "2026-11-26T17:38:48.677003492Z", source: "hypervisor" },
        { machine: "old", provider: "docker", raw: "not_created", since: null, source: "hypervisor" }
      ])
    }))

  it.effect("docker's statuses: paused and restarting are kept, the rest is Vagrant's stopped", () =>
    Effect.gen(function*() {
      const statuses = ["running", "paused", "restarting", "exited", "created", "dead", "removing"]
      const { states } = yield* deps({
        provider: "docker",
        docker: (args) =>
          Effect.succeed(result(
            args.slice(5).map((id) => `${id}full ${JSON.stringify({ Status: statuses[Number(id.slice(2))], StartedAt: "t" })}\n`)
              .join("")
          ))
      })
      const rows = yield* states(statuses.map((_, i) => ({ machine: `m${i}`, id: Option.some(`id${i}`) })))
      expect(rows.map((r) => r.raw)).toEqual(["running", "paused", "restarting", "stopped", "stopped", "stopped", "stopped"])
    }))

  it.effect("docker failing otherwise (daemon down, not installed): vagrant status answers", () =>
    Effect.gen(function*() {
      for (
        const failure of [
          Effect.succeed(result("", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.", 1)),
          Effect.fail(new ToolNotInstalled({ tool: "docker", hint: "" })),
          Effect.succeed(result(`${RUNNING_ID} {not json}\n`))
        ] satisfies ReadonlyArray<DockerAnswer>
      ) {
        const { calls, states } = yield* deps({
          provider: "docker",
          docker: () => failure,
          vagrant: vagrantRows([["dev", "docker", "running"]])
        })
        const rows = yield* states([{ machine: "dev", id: Option.some(RUNNING_ID) }])
        expect(rows).toEqual([{ machine: "dev", provider: "docker", raw: "running", since: null, source: "vagrant" }])
        expect((yield* calls).at(-1)).toBe("vagrant status dev")
      }
    }))

  it.effect("a docker inspect that times out is an error, not a second wait on Vagrant", () =>
    Effect.gen(function*() {
      const { calls, states } = yield* deps({
        provider: "docker",
        docker: (args) => Effect.fail(new CommandTimeout({ command: ["docker", ...args], timeoutMs: 1000 }))
      })
      const error = yield* Effect.flip(states([{ machine: "dev", id: Option.some("x") }]))
      expect(error._tag).toBe("CommandTimeout")
      expect((yield* calls).some((c) => c.startsWith("vagrant"))).toBe(false)
    }))
})

describe("machine states on the virtualbox provider", () => {
  const vms = new Map([
    ["uuid-run", { name: "proj_dev", VMState: "running", VMStateChangeTime: "2024-05-01T10:00:00.000000000" }],
    ["uuid-off", { name: "proj_old", VMState: "poweroff", VMStateChangeTime: "2024-05-01T09:00:00.000000000" }],
    ["uuid-lost", { name: "<inaccessible>", VMState: "" }]
  ])

  it.effect("VBoxManage showvminfo per machine; an unknown uuid is not created", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
      // answers like VBoxManage: known uuids print their info, unknown ones fail with its message
      const vbox = {
        run: scriptedCli("VBoxManage", (args) => {
          const info = vms.get(args[1]!)
          return Effect.succeed(
            info === undefined
              ? { exitCode: 1, stderr: `VBoxManage: error: Could not find a registered machine with UUID {${args[1]}}\n` }
              : { stdout: Object.entries(info).map(([k, v]) => `${k}="${v}"\n`).join("") }
          )
        }, log)
      }
      const { calls, states } = yield* deps({ provider: "virtualbox", vbox })
      const rows = yield* states(["uuid-run", "uuid-off", "uuid-lost", "uuid-gone"].map((id) => ({ machine: id, id: Option.some(id) })))
      expect(rows.map((r) => [r.raw, r.since, r.source])).toEqual([
        ["running", "2024-05-01T10:00:00.000000000", "hypervisor"],
        ["poweroff", "2024-05-01T09:00:00.000000000", "hypervisor"],
        ["inaccessible", null, "hypervisor"],
        ["not_created", null, "hypervisor"]
      ])
      expect(yield* calls).toEqual([])
      expect(yield* Ref.get(log)).toEqual(
        ["uuid-run", "uuid-off", "uuid-lost", "uuid-gone"].map((id) => ["VBoxManage", "showvminfo", id, "--machinereadable"])
      )
    }))

  it.effect("without VBoxManage on PATH, vagrant status answers", () =>
    Effect.gen(function*() {
      const { calls, states } = yield* deps({
        provider: "virtualbox",
        vbox: { run: () => Effect.fail(new ToolNotInstalled({ tool: "VBoxManage", hint: "" })) },
        vagrant: vagrantRows([["dev", "virtualbox", "saved"]])
      })
      expect((yield* states([{ machine: "dev", id: Option.some("u") }]))[0]).toMatchObject({ raw: "saved", source: "vagrant" })
      expect(yield* calls).toEqual(["vagrant status dev"])
    }))

  it("parses showvminfo --machinereadable, quoted keys and values with '=' included", () => {
    const text = [
      'name="my vm"',
      'UUID="0a1b2c3d-0000-4000-8000-000000000001"',
      "memory=2048",
      'VMState="running"',
      'VMStateChangeTime="2024-05-01T10:00:00.000000000"',
      '"Forwarding(0)"="ssh,tcp,127.0.0.1,2222,,22"',
      'description="a=b"',
      "garbage line",
      ""
    ].join("\r\n")
    expect(parseVBoxInfo(text)).toEqual({
      name: "my vm",
      UUID: "0a1b2c3d-0000-4000-8000-000000000001",
      memory: "2048",
      VMState: "running",
      VMStateChangeTime: "2024-05-01T10:00:00.000000000",
      "Forwarding(0)": "ssh,tcp,127.0.0.1,2222,,22",
      description: "a=b"
    })
  })
})

describe("machine states on the libvirt provider", () => {
  it.effect("virsh domstate per machine by domain uuid; a domain libvirt does not know is not created", () =>
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
      const domains = new Map([["u-run", "running\n\n"], ["u-off", "shut off\n\n"]])
      const virsh = {
        run: scriptedCli("virsh", (args) => {
          const state = domains.get(args[3]!)
          // libvirt's answer for an unknown uuid (virsh.c vshCommandOptDomainBy + VIR_ERR_NO_DOMAIN)
          return Effect.succeed(
            state === undefined
              ? { exitCode: 1, stderr: `error: failed to get domain '${args[3]}'\n` }
              : { stdout: state }
          )
        }, log)
      }
      const { calls, states } = yield* deps({ provider: "libvirt", virsh })
      const rows = yield* states(["u-run", "u-off", "u-gone"].map((id) => ({ machine: id, id: Option.some(id) })))
      expect(rows.map((r) => [r.raw, r.source])).toEqual([["running", "hypervisor"], ["shutoff", "hypervisor"], ["not_created", "hypervisor"]])
      expect(yield* calls).toEqual([])
      expect(yield* Ref.get(log)).toEqual(["u-run", "u-off", "u-gone"].map((id) => ["virsh", "-c", "qemu:///system", "domstate", id]))
    }))
})

describe("machine states on providers without a state query", () => {
  it.effect("ask vagrant status once for all created machines", () =>
    Effect.gen(function*() {
      const { calls, states } = yield* deps({
        provider: "vmware_desktop",
        vagrant: vagrantRows([["a", "vmware_desktop", "not_running"], ["b", "vmware_desktop", "running"]])
      })
      const rows = yield* states([
        { machine: "a", id: Option.some("1") },
        { machine: "b", id: Option.some("2") },
        { machine: "c", id: Option.none() }
      ])
      expect(rows.map((r) => [r.machine, r.raw, r.source])).toEqual([["a", "not_running", "vagrant"], ["b", "running", "vagrant"], [
        "c",
        "not_created",
        "id-file"
      ]])
      expect(yield* calls).toEqual(["vagrant status a b"])
    }))
})

