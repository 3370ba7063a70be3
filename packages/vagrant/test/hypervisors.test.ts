import { describe, expect, it } from "@effect/vitest"
import { NodeContext } from "@effect/platform-node"
import { ProcessRunnerLive } from "@vm/core/process/ProcessRunner"
import { Effect, Either, Layer, Schedule } from "effect"
import { spawn } from "node:child_process"
import { findVmProcesses, HostProcesses, HostProcessesLive, parseCmdline } from "../src/hypervisors/HostProcesses.js"
import { HostToolsLive } from "../src/hypervisors/HostTools.js"
import { parseVBoxInfo, readVBoxInfo, sharedFoldersOf } from "../src/hypervisors/vboxInfo.js"
import { vboxString } from "../src/testing/vboxOutput.js"
import { vagrantDomState } from "../src/hypervisors/Virsh.js"
import { parseVmrunList } from "../src/hypervisors/Vmrun.js"

describe("hypervisor output parsers", () => {
  it.effect("VBoxManage showvminfo --machinereadable → VMState", () =>
    Effect.gen(function*() {
      expect((yield* readVBoxInfo(`name="dev"\nVMState="aborted-saved"\nVMStateChangeTime="x"\n`)).state).toBe("aborted-saved")
      expect(Either.isLeft(yield* Effect.either(readVBoxInfo("VBoxManage: error: Could not find a registered machine")))).toBe(true)
    }))

  it("vmrun list → the running vmx paths", () => {
    expect(parseVmrunList("Total running VMs: 2\r\n/v/a.vmx\r\nC:\\VMs\\b.vmx\r\n")).toEqual(["/v/a.vmx", "C:\\VMs\\b.vmx"])
    expect(parseVmrunList("Total running VMs: 0\n")).toEqual([])
  })

  it("virsh domstate → vagrant-libvirt's state ids", () => {
    expect(vagrantDomState("shut off\n\n")).toBe("shutoff")
    expect(vagrantDomState("in shutdown\n")).toBe("shutting_down")
    expect(vagrantDomState("pmsuspended\n")).toBe("pmsuspended")
    expect(vagrantDomState("running\n")).toBe("running")
  })
})

describe("host processes", () => {
  const uuid = "6f1c2d3e-4a5b-4c6d-8e7f-901a2b3c4d5e"
  const pattern = { programs: ["VBoxHeadless"], flag: "--startvm", value: uuid }

  it("finds only the hypervisor process whose argv names the VM right after the flag", () => {
    const processes = [
      { pid: 1, argv: ["/usr/lib/virtualbox/VBoxHeadless", "--comment", "dev", "--startvm", uuid.toUpperCase(), "--vrde", "config"] },
      { pid: 2, argv: ["/usr/lib/virtualbox/VBoxHeadless", "--startvm", "11111111-2222-4333-8444-555555555555"] },
      { pid: 3, argv: ["grep", "--startvm", uuid] },
      { pid: 4, argv: ["VBoxHeadless", "--comment", uuid] },
      { pid: 5, argv: [] }
    ]
    expect(findVmProcesses(processes, pattern)).toEqual([1])
  })

  it("parses /proc/<pid>/cmdline, keeping empty arguments", () => {
    expect(parseCmdline("VBoxHeadless\0--startvm\0x\0")).toEqual(["VBoxHeadless", "--startvm", "x"])
    expect(parseCmdline("a\0\0b\0")).toEqual(["a", "", "b"])
  })

  it.live("the live process table finds a real process by its argv and SIGKILLs it", () =>
    Effect.gen(function*() {
      const marker = "vm-kill-test-" + process.pid
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "--", "--startvm", marker], { stdio: "ignore" })
      const exited = new Promise<string | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)))
      try {
        const host = yield* HostProcesses
        const match = { programs: ["node"], flag: "--startvm", value: marker }
        // right after fork the child's cmdline is still its parent's until exec completes
        const pids = yield* host.list(5000).pipe(
          Effect.map((all) => findVmProcesses(all, match)),
          Effect.filterOrFail((found) => found.length > 0),
          Effect.retry({ schedule: Schedule.spaced("20 millis"), times: 100 })
        )
        expect(pids).toEqual([child.pid])
        yield* host.kill(pids[0]!)
        expect(yield* Effect.promise(() => exited)).toBe("SIGKILL")
        expect(findVmProcesses(yield* host.list(5000), match)).toEqual([])
        // an already-gone process counts as killed
        yield* host.kill(pids[0]!)
      } finally {
        child.kill("SIGKILL")
      }
    }).pipe(Effect.provide(HostProcessesLive.pipe(Layer.provide(ProcessRunnerLive), Layer.provide(HostToolsLive), Layer.provide(NodeContext.layer)))))
})

describe("VBoxManage showvminfo reader: VirtualBox's escaping", () => {
  // VirtualBox escapes exactly `"` and `\` (VBoxManageInfo.cpp, outputMachineReadableStringWorker)
  const paths = [
    "C:\\new",
    "C:\\\\server\\share\\n",
    `/home/me/it's a "dir"`,
    "/trailing\\",
    "\\\"mixed\\\\\"",
    "/plain/path",
    "/with = equals/and,comma"
  ]
  it.each(paths)("a shared folder at %j round-trips", (hostPath) => {
    const text = [
      `name=${vboxString("vm")}`,
      `VMState="running"`,
      `SharedFolderNameTransientMapping1=${vboxString("share")}`,
      `SharedFolderPathTransientMapping1=${vboxString(hostPath)}`,
      ""
    ].join("\n")
    expect(sharedFoldersOf(parseVBoxInfo(text))).toEqual([{ name: "share", hostPath, transient: true }])
  })

  it("`C:\\\\new` printed by VirtualBox is C:\\new, never a newline", () => {
    expect(parseVBoxInfo(`SharedFolderPathMachineMapping1="C:\\\\new"\n`)["SharedFolderPathMachineMapping1"]).toBe("C:\\new")
  })

  it("random strings round-trip", () => {
    const alphabet = ["a", "\\", "\"", "=", " ", "n", "é", "\t"]
    for (let i = 0; i < 500; i++) {
      const length = (i * 7) % 13
      const value = Array.from({ length }, (_, j) => alphabet[(i * 31 + j * 17) % alphabet.length]).join("")
      expect(parseVBoxInfo(`k=${vboxString(value)}\n`)["k"]).toBe(value)
    }
  })
})
