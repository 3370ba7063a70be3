import { describe, expect, it } from "@effect/vitest"
import { ProcessRunnerTest, recordedCalls } from "@vm/core/process/ProcessRunner"
import { Effect, Layer } from "effect"
import { HostToolsFake } from "../../src/hypervisors/HostTools.js"
import { VBoxManage, VBoxManageLive } from "../../src/hypervisors/VBoxManage.js"
import { parseVBoxInfo, sharedFoldersOf } from "../../src/hypervisors/vboxInfo.js"

const parseSharedFolders = (text: string) => sharedFoldersOf(parseVBoxInfo(text))

const SHOWVMINFO = [
  `name="temp_busy"`,
  `UUID="0a1b2c3d-0000-4000-8000-000000000001"`,
  `VMState="running"`,
  `SharedFolderNameMachineMapping1="workspace"`,
  `SharedFolderPathMachineMapping1="/home/me/.vm/temp/busy/workspace"`,
  `SharedFolderNameTransientMapping1="vm_workspace_it_s_a_dir_12345678"`,
  `SharedFolderPathTransientMapping1="/home/me/it's a \\"dir\\""`,
  `SharedFolderNameTransientMapping2="vm_back_slash"`,
  `SharedFolderPathTransientMapping2="/home/me/back\\\\slash"`,
  ""
].join("\n")

const live = (answer: (args: ReadonlyArray<string>) => string = () => "") =>
  VBoxManageLive.pipe(
    Layer.provideMerge(ProcessRunnerTest((call) => Effect.succeed(call.command === "VBoxManage" ? { stdout: answer(call.args) } : undefined))),
    Layer.provideMerge(HostToolsFake(["VBoxManage"]))
  )

describe("parseSharedFolders", () => {
  it("reads permanent and transient folders, unescaping quotes and backslashes", () => {
    expect(parseSharedFolders(SHOWVMINFO)).toEqual([
      { name: "workspace", hostPath: "/home/me/.vm/temp/busy/workspace", transient: false },
      { name: "vm_workspace_it_s_a_dir_12345678", hostPath: `/home/me/it's a "dir"`, transient: true },
      { name: "vm_back_slash", hostPath: "/home/me/back\\slash", transient: true }
    ])
  })
  it("no shared folders: empty", () => {
    expect(parseSharedFolders(`name="x"\nVMState="running"\n`)).toEqual([])
  })
})

describe("VBoxManageLive", () => {
  it.effect("addTransientShare: exact argv, read-only enforced by the host, bounded", () =>
    Effect.gen(function*() {
      const vbox = yield* VBoxManage
      yield* vbox.addTransientShare("uuid-1", { name: "vm_x", hostPath: `/h/it's a "dir"`, readonly: true })
      yield* vbox.addTransientShare("uuid-1", { name: "vm_y", hostPath: "/h/y", readonly: false })
      const calls = yield* recordedCalls
      expect(calls.map((c) => [c.command, ...c.args])).toEqual([
        ["VBoxManage", "sharedfolder", "add", "uuid-1", "--name", "vm_x", "--hostpath", `/h/it's a "dir"`, "--transient", "--readonly"],
        ["VBoxManage", "sharedfolder", "add", "uuid-1", "--name", "vm_y", "--hostpath", "/h/y", "--transient"]
      ])
      expect(calls.every((c) => typeof c.options.timeoutMs === "number")).toBe(true)
    }).pipe(Effect.provide(live())))

  it.effect("removeTransientShare and sharedFolders: exact argv", () =>
    Effect.gen(function*() {
      const vbox = yield* VBoxManage
      yield* vbox.removeTransientShare("uuid-1", "vm_x")
      const folders = yield* vbox.sharedFolders("uuid-1")
      expect(folders.map((f) => f.name)).toEqual(["workspace", "vm_workspace_it_s_a_dir_12345678", "vm_back_slash"])
      expect((yield* recordedCalls).map((c) => c.args)).toEqual([
        ["sharedfolder", "remove", "uuid-1", "--name", "vm_x", "--transient"],
        ["showvminfo", "uuid-1", "--machinereadable"]
      ])
    }).pipe(Effect.provide(live((args) => (args[0] === "showvminfo" ? SHOWVMINFO : ""))))
  )

  it.effect("garbage from showvminfo is a ParseFailed", () =>
    Effect.gen(function*() {
      const vbox = yield* VBoxManage
      const error = yield* Effect.flip(vbox.sharedFolders("uuid-1"))
      expect(error._tag).toBe("ParseFailed")
    }).pipe(Effect.provide(live(() => "VBoxManage: error: something odd\n"))))
})
