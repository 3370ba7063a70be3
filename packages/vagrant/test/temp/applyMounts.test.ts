import { describe, expect, it } from "@effect/vitest"
import type { VagrantProviderName } from "@vm/core/config/schema"
import type { VmState } from "@vm/core/model"
import { TempVms } from "@vm/core/TempVms"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { chooseStrategy } from "../../src/temp/applyMounts.js"
import { guestMountCommand, guestUnmountCommand, shareNameFor } from "../../src/temp/liveMounts.js"
import { sha256 } from "../../src/hash.js"
import { moduleOf } from "../../src/providers/registry.js"
import { globalWith, makeFakeTempStack, makeTempSandbox } from "./helpers.js"

/** VBoxManage calls that change something (state queries left out). */
const withoutQueries = (calls: ReadonlyArray<ReadonlyArray<string>>) => calls.filter((a) => a[0] !== "showvminfo")

describe("chooseStrategy", () => {
  it.each<[VagrantProviderName, VmState, boolean, string]>([
    ["docker", "running", false, "recreate"],
    ["docker", "stopped", false, "recreate"],
    ["docker", "missing", true, "recreate"],
    ["virtualbox", "running", true, "live"],
    ["virtualbox", "running", false, "reload"],
    ["virtualbox", "stopped", true, "reload"],
    ["virtualbox", "missing", true, "up"],
    ["libvirt", "running", true, "reload"],
    ["vmware_desktop", "running", false, "reload"],
    ["hyperv", "stopped", false, "reload"],
    ["parallels", "missing", false, "up"]
  ])("%s, %s, live shares %s: %s", (provider, state, live, expected) => {
    expect(chooseStrategy(moduleOf(provider), state, live)).toBe(expected)
  })
})

/** The verbs that change a machine, in order, after the given call index. */
const machineChanges = (calls: ReadonlyArray<{ readonly args: ReadonlyArray<string> }>, from = 0) =>
  calls.slice(from).map((c) => c.args).filter((a) => ["up", "reload", "destroy", "halt"].includes(a[0]!)).map((a) => a.join(" "))

describe("applying mounts per provider", () => {
  it.live("docker: a mount recreates the container (docker rm + vagrant up), then waits for ssh", () =>
    Effect.gen(function*() {
      const sandbox = makeTempSandbox()
      const stack = yield* makeFakeTempStack(sandbox.home)
      yield* Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "dock", mounts: [sandbox.dirs[0]!], cwd: sandbox.base, provider: undefined, autoDestroy: false })
        expect(machineChanges(yield* stack.vagrant.calls)).toEqual(["up dock --provider=docker"])
        const before = (yield* stack.vagrant.calls).length
        const probesBefore = (yield* stack.ssh.log).filter((c) => c.command === "echo vm-ok").length
        const oldId = Fs.readFileSync(Path.join(sandbox.home, ".vm/temp/dock/.vm/vagrant/machines/dock/docker/id"), "utf8")
        yield* temp.mount("dock", [`${sandbox.dirs[1]}:ro`], sandbox.base)
        // the container goes through the docker CLI (one Vagrant start-up less than destroy), then vagrant up
        expect(yield* stack.docker.calls).toEqual([["rm", "-f", "-v", oldId]])
        expect(machineChanges(yield* stack.vagrant.calls, before)).toEqual(["up dock --provider=docker"])
        // every Vagrant start-up costs about a second: the whole apply needs only this one (the ssh-config of
        // a machine on a loopback port vm allocated is known once Vagrant has put its key in place)
        expect((yield* stack.vagrant.calls).slice(before).map((c) => c.args.join(" "))).toEqual([
          "up dock --provider=docker"
        ])
        expect((yield* stack.ssh.log).filter((c) => c.command === "echo vm-ok").length).toBe(probesBefore + 1)
        const vagrantfile = Fs.readFileSync(Path.join(sandbox.home, ".vm/temp/dock/Vagrantfile.vmtool"), "utf8")
        expect(vagrantfile).toContain(`config.vm.synced_folder '${sandbox.dirs[1]}', '/workspace/tests', docker_consistency: 'ro'`)
        // mounting the same state again changes nothing
        const after = (yield* stack.vagrant.calls).length
        yield* temp.apply("dock")
        expect(machineChanges(yield* stack.vagrant.calls, after)).toEqual([])
      }).pipe(Effect.provide(stack.layer), Effect.ensuring(Effect.sync(sandbox.cleanup)))
    }))

  it.live("libvirt: a mount is applied with vagrant reload", () =>
    Effect.gen(function*() {
      const sandbox = makeTempSandbox()
      const stack = yield* makeFakeTempStack(sandbox.home, globalWith({ defaults: { provider: "libvirt" } }))
      yield* Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "virt", mounts: [], cwd: sandbox.base, provider: undefined, autoDestroy: false })
        const before = (yield* stack.vagrant.calls).length
        yield* temp.mount("virt", [`${sandbox.dirs[0]}:ro`], sandbox.base)
        expect(machineChanges(yield* stack.vagrant.calls, before)).toEqual(["reload virt"])
        const vagrantfile = Fs.readFileSync(Path.join(sandbox.home, ".vm/temp/virt/Vagrantfile.vmtool"), "utf8")
        expect(vagrantfile).toContain(`config.vm.synced_folder '${sandbox.dirs[0]}', '/workspace/src', mount_options: ['ro']`)
      }).pipe(Effect.provide(stack.layer), Effect.ensuring(Effect.sync(sandbox.cleanup)))
    }))
})

describe("VirtualBox live mounts", () => {
  const setup = (body: (stack: Effect.Effect.Success<ReturnType<typeof makeFakeTempStack>>, dirs: ReadonlyArray<string>, base: string) => Effect.Effect<void, unknown, TempVms>) =>
    Effect.gen(function*() {
      const sandbox = makeTempSandbox()
      const stack = yield* makeFakeTempStack(sandbox.home, globalWith({ defaults: { provider: "virtualbox" } }))
      yield* body(stack, sandbox.dirs, sandbox.base).pipe(Effect.provide(stack.layer), Effect.ensuring(Effect.sync(sandbox.cleanup)))
    })
  const uuidOf = (home: string) => Fs.readFileSync(Path.join(home, ".vm/temp/vbox/.vm/vagrant/machines/vbox/virtualbox/id"), "utf8").trim()

  it.live("mount and unmount on a running VM: transient share + guest mount, no reload; exact argv and guest commands", () =>
    setup((stack, dirs, base) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        const home = Path.join(base, "home")
        yield* temp.create({ name: "vbox", mounts: [dirs[0]!], cwd: base, provider: undefined, autoDestroy: false })
        const before = (yield* stack.vagrant.calls).length
        const uuid = uuidOf(home)
        const target = `/workspace/it's a "dir"`
        const share = shareNameFor(target)

        const mounted = yield* temp.mount("vbox", [`${dirs[2]}:ro`], base)
        expect(mounted.appliedMounts).toEqual(mounted.mounts)
        expect(machineChanges(yield* stack.vagrant.calls, before)).toEqual([])
        // state queries (showvminfo) may come from several readers; the changes are exact
        expect((yield* stack.vbox.calls).some((a) => a[0] === "showvminfo" && a[1] === uuid)).toBe(true)
        expect(withoutQueries(yield* stack.vbox.calls)).toEqual([
          ["sharedfolder", "add", uuid, "--name", share, "--hostpath", dirs[2]!, "--transient", "--readonly"]
        ])
        const guest = (yield* stack.ssh.log).map((c) => c.command).filter((c) => c !== "echo vm-ok")
        expect(guest).toEqual([guestMountCommand(share, target, true)])
        expect(guest[0]).toBe(
          `sudo mkdir -p -- '/workspace/it'\\''s a "dir"' && sudo mount -t vboxsf -o "uid=$(id -u),gid=$(id -g),ro" -- ${share} '/workspace/it'\\''s a "dir"'`
        )
        // the Vagrantfile now lists the folder, and counts as booted (the next reload makes it permanent)
        const vagrantfile = Fs.readFileSync(Path.join(home, ".vm/temp/vbox/Vagrantfile.vmtool"), "utf8")
        expect(vagrantfile).toContain(`'${dirs[2]!.replace(/'/g, "\\'")}', '/workspace/it\\'s a "dir"', mount_options: ['ro']`)
        const projectState = JSON.parse(Fs.readFileSync(Path.join(home, ".vm/temp/vbox/.vm/state.json"), "utf8"))
        expect(projectState.instances.vbox.bootedHash).toBe(sha256(vagrantfile))

        yield* temp.unmount("vbox", { paths: [target], all: false }, base)
        expect(withoutQueries(yield* stack.vbox.calls).slice(1)).toEqual([
          ["sharedfolder", "remove", uuid, "--name", share, "--transient"]
        ])
        expect((yield* stack.ssh.log).map((c) => c.command).filter((c) => c !== "echo vm-ok").slice(1)).toEqual([
          guestUnmountCommand(target)
        ])
        expect(machineChanges(yield* stack.vagrant.calls, before)).toEqual([])
      })))

  it.live("a folder the VM booted with is unmounted in the guest only (Vagrant owns its share)", () =>
    setup((stack, dirs, base) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "vbox", mounts: [dirs[0]!], cwd: base, provider: undefined, autoDestroy: false })
        yield* temp.unmount("vbox", { paths: [dirs[0]!], all: false }, base)
        expect((yield* stack.vbox.calls).some((a) => a[0] === "showvminfo")).toBe(true)
        expect(withoutQueries(yield* stack.vbox.calls)).toEqual([])
        expect((yield* stack.ssh.log).map((c) => c.command)).toContain(guestUnmountCommand("/workspace/src"))
      })))

  it.live("a failing guest mount removes the share again and leaves the mount pending", () =>
    setup((stack, dirs, base) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "vbox", mounts: [], cwd: base, provider: undefined, autoDestroy: false })
        stack.controls.failGuest.add("mount -t vboxsf")
        const error = yield* Effect.flip(temp.mount("vbox", [dirs[1]!], base))
        expect(error._tag).toBe("CommandFailed")
        expect(error.message).toContain("mount: failed (fake)")
        expect(withoutQueries(yield* stack.vbox.calls).map((a) => a.slice(0, 2).join(" "))).toEqual([
          "sharedfolder add",
          "sharedfolder remove"
        ])
        expect([...stack.vbox.shares.values()].flat()).toEqual([])
        const record = yield* temp.get("vbox")
        expect(record.mounts).toHaveLength(1)
        expect(record.appliedMounts).toEqual([])
        // once the guest cooperates, start applies what is pending
        stack.controls.failGuest.clear()
        yield* temp.start("vbox")
        expect((yield* temp.get("vbox")).appliedMounts).toEqual(record.mounts)
      })))

  it.live("without VBoxManage on PATH the mount is applied with vagrant reload", () =>
    setup((stack, dirs, base) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        stack.controls.vboxAvailable = false
        yield* temp.create({ name: "vbox", mounts: [], cwd: base, provider: undefined, autoDestroy: false })
        const before = (yield* stack.vagrant.calls).length
        yield* temp.mount("vbox", [dirs[0]!], base)
        expect(machineChanges(yield* stack.vagrant.calls, before)).toEqual(["reload vbox"])
        // no live share: only state queries reach VBoxManage
        expect(withoutQueries(yield* stack.vbox.calls)).toEqual([])
      })))
})
