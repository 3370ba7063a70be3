/**
 * The typed tool helpers against real tool output (src/testing/fixtures/*.ts, each naming its source):
 * what the real tool prints must come out as the state, the folders, or the "not found" vm expects.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, Ref } from "effect"
import { type CliRun as RunFn, scriptedCli } from "../src/hypervisors/cli.js"
import { makePrlctl } from "../src/hypervisors/Prlctl.js"
import { makeVBoxManage } from "../src/hypervisors/VBoxManage.js"
import { parseVBoxInfo } from "../src/hypervisors/vboxInfo.js"
import { makeVirsh } from "../src/hypervisors/Virsh.js"
import { parseVmrunList } from "../src/hypervisors/Vmrun.js"
import { parseStatus } from "../src/machineReadable.js"
import { parseDockerStates } from "../src/providers/docker.js"
import { normalizeState } from "../src/providers/registry.js"
import * as Docker from "../src/testing/fixtures/docker.js"
import * as Prl from "../src/testing/fixtures/prlctl.js"
import type { CliRun } from "../src/testing/fixtures/types.js"
import * as Vagrant from "../src/testing/fixtures/vagrant.js"
import * as VBox from "../src/testing/fixtures/vboxmanage.js"
import * as Virsh from "../src/testing/fixtures/virsh.js"
import * as Vmrun from "../src/testing/fixtures/vmrun.js"

/** A `run` that answers every call with the recorded run (its exit code and both streams). */
const replay = (fixture: CliRun) =>
  Effect.map(Ref.make<ReadonlyArray<ReadonlyArray<string>>>([]), (log): RunFn =>
    scriptedCli(fixture.argv[0]!, () => Effect.succeed({ stdout: fixture.stdout, stderr: fixture.stderr, exitCode: fixture.exitCode }), log))

describe("VBoxManage fixtures through the showvminfo reader", () => {
  it.effect.each([
    [VBox.VBOX_SHOWVMINFO_RUNNING_WINDOWS_V61_EXCERPT, "running"],
    [VBox.VBOX_SHOWVMINFO_POWEROFF_EXCERPT, "poweroff"],
    [VBox.VBOX_SHOWVMINFO_POWEROFF_QUOTED_KEYS_EXCERPT, "poweroff"],
    [VBox.VBOX_SHOWVMINFO_DERIVED_RUNNING, "running"],
    [VBox.VBOX_SHOWVMINFO_DERIVED_PAUSED, "paused"],
    [VBox.VBOX_SHOWVMINFO_DERIVED_SAVED, "saved"],
    [VBox.VBOX_SHOWVMINFO_DERIVED_POWEROFF, "poweroff"],
    [VBox.VBOX_SHOWVMINFO_DERIVED_ABORTED, "aborted"],
    [VBox.VBOX_SHOWVMINFO_DERIVED_GURUMEDITATION, "gurumeditation"]
  ] as const)("%#: VMState %s", ([stdout, state]) =>
    Effect.gen(function*() {
      const run = yield* replay({ argv: ["VBoxManage"], stdout, stderr: "", exitCode: 0 })
      const info = yield* makeVBoxManage(run).showVmInfo("05e03479-f4e6-43e6-890f-928f02908b00", 1000)
      expect(Option.map(info, (i) => i.state)).toEqual(Option.some(state))
    }))

  it("real escaped Windows paths decode to single backslashes", () => {
    for (const { decoded, printed } of VBox.VBOX_MR_REAL_ESCAPED_VALUES) {
      expect(parseVBoxInfo(`CfgFile="${printed}"\n`)["CfgFile"]).toBe(decoded)
    }
    expect(parseVBoxInfo(VBox.VBOX_MR_ESCAPED_SHARED_FOLDER_LINE)["SharedFolderPathMachineMapping1"]).toBe(VBox.VBOX_MR_ESCAPED_HOST_PATH.decoded)
  })

  it("a value with a newline in it continues on the next line", () => {
    expect(parseVBoxInfo(VBox.VBOX_MR_MULTILINE_DESCRIPTION_LINE + `VMState="running"\n`)).toEqual({
      description: VBox.VBOX_MR_MULTILINE_DESCRIPTION.decoded,
      VMState: "running"
    })
  })

  it("VMStateFile is printed raw (single backslashes) and kept as printed", () => {
    expect(parseVBoxInfo(`VMStateFile="C:\\Users\\me\\VirtualBox VMs\\x.sav"\n`)["VMStateFile"]).toBe("C:\\Users\\me\\VirtualBox VMs\\x.sav")
  })

  it("shared folders of a real output", () => {
    const values = parseVBoxInfo(VBox.VBOX_SHOWVMINFO_DERIVED_RUNNING)
    expect(values["SharedFolderPathTransientMapping1"]).toBe("/tmp/vm scratch")
  })

  it.effect.each([VBox.VBOX_SHOWVMINFO_UNKNOWN_UUID_V4, VBox.VBOX_SHOWVMINFO_UNKNOWN_UUID_V5])("unknown uuid (%#): None, vmState not_created", (fixture) =>
    Effect.gen(function*() {
      const vbox = makeVBoxManage(yield* replay(fixture))
      expect(yield* vbox.showVmInfo("99c6a563-deea-4673-81e3-860a818a6d72", 1000)).toEqual(Option.none())
      expect(yield* vbox.vmState("99c6a563-deea-4673-81e3-860a818a6d72", 1000)).toBe("not_created")
    }))
})

describe("virsh fixtures (recorded, virsh 9.0)", () => {
  it.effect.each([
    [Virsh.VIRSH_DOMSTATE_RUNNING, "running", "running"],
    [Virsh.VIRSH_DOMSTATE_BY_UUID, "running", "running"],
    [Virsh.VIRSH_DOMSTATE_SHUTOFF, "shutoff", "stopped"],
    [Virsh.VIRSH_DOMSTATE_CRASHED, "crashed", "broken"],
    [Virsh.VIRSH_DOMSTATE_IN_SHUTDOWN, "shutting_down", "transitional"],
    [Virsh.VIRSH_DOMSTATE_PMSUSPENDED, "pmsuspended", "suspended"],
    [Virsh.VIRSH_DOMSTATE_IDLE, "idle", "unknown"]
  ] as const)("%#: %s", ([fixture, raw, state]) =>
    Effect.gen(function*() {
      const got = yield* makeVirsh(yield* replay(fixture)).domState("qemu:///system", "u", 1000)
      expect(got).toEqual(Option.some(raw))
      expect(normalizeState("libvirt", raw)).toBe(state)
    }))

  it.effect.each([Virsh.VIRSH_DOMSTATE_UNKNOWN_UUID, Virsh.VIRSH_DOMSTATE_UNKNOWN_NAME, Virsh.VIRSH_DOMSTATE_UNKNOWN_QUIET])(
    "unknown domain (%#): None",
    (fixture) =>
      Effect.gen(function*() {
        expect(yield* makeVirsh(yield* replay(fixture)).domState("qemu:///system", "u", 1000)).toEqual(Option.none())
      })
  )

  it.effect("destroy of a domain that is not running fails with virsh's message", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(makeVirsh(yield* replay(Virsh.VIRSH_DESTROY_NOT_RUNNING)).destroy("qemu:///system", "u", 1000))
      expect(error._tag).toBe("CommandFailed")
      expect(error.message).toContain("domain is not running")
    }))
})

describe("docker fixtures (recorded)", () => {
  it.each([
    [Docker.DOCKER_INSPECT_RUNNING, "running"],
    [Docker.DOCKER_INSPECT_EXITED, "stopped"],
    [Docker.DOCKER_INSPECT_KILLED, "stopped"],
    [Docker.DOCKER_INSPECT_PAUSED, "paused"],
    [Docker.DOCKER_INSPECT_UNKNOWN_ID, "not_created"]
  ] as const)("%#: %s", (fixture, raw) => {
    const id = fixture.argv.at(-1)!
    expect(parseDockerStates(fixture.stdout, fixture.stderr, [{ machine: "m", id }])).toEqual([
      expect.objectContaining({ machine: "m", raw })
    ])
  })
})

describe("vmrun, prlctl and vagrant fixtures", () => {
  it("vmrun list", () => {
    expect(parseVmrunList(Vmrun.VMRUN_LIST_NONE.stdout)).toEqual([])
    expect(parseVmrunList(Vmrun.VMRUN_LIST_ONE.stdout)).toEqual([Vmrun.VMRUN_LIST_ONE.stdout.split("\n")[1]])
  })

  it.effect.each([
    [Prl.PRLCTL_STATUS_RUNNING, "running"],
    [Prl.PRLCTL_STATUS_STOPPED, "stopped"],
    [Prl.PRLCTL_STATUS_SUSPENDED, "suspended"],
    [Prl.PRLCTL_STATUS_PAUSED, "paused"]
  ] as const)("prlctl status %#: %s", ([fixture, raw]) =>
    Effect.gen(function*() {
      expect(yield* makePrlctl(yield* replay(fixture)).status("u", 1000)).toBe(raw)
    }))

  it.each([
    [Vagrant.VAGRANT_STATUS_MR_DOCKER_RUNNING.stdout, [["web", "docker", "running"]]],
    [Vagrant.VAGRANT_STATUS_MR_DOCKER_STOPPED.stdout, [["web", "docker", "stopped"]]],
    [Vagrant.VAGRANT_STATUS_MR_VIRTUALBOX_POWEROFF, [["default", "virtualbox", "poweroff"]]]
  ] as const)("vagrant status --machine-readable %#", (text, rows) => {
    const parsed = Either.getOrThrow(parseStatus(text))
    expect(parsed.map((r) => [r.machine, r.provider, r.state])).toEqual(rows)
  })

  it("vagrant status for several machines, CRLF or LF alike", () => {
    const text = Vagrant.VAGRANT_STATUS_MR_DOCKER_MULTI_RUNNING_AND_NOT_CREATED.stdout
    const lf = Either.getOrThrow(parseStatus(text))
    expect(lf.map((r) => r.state).sort()).toEqual(["not_created", "running"])
    expect(Either.getOrThrow(parseStatus(text.replaceAll("\n", "\r\n")))).toEqual(lf)
  })
})
