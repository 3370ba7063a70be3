import { describe, expect, it } from "@effect/vitest"
import { TempVms } from "@vm/core/TempVms"
import { Effect, Option } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { makeFakeTempStack, makeTempSandbox } from "./helpers.js"

type Stack = Effect.Effect.Success<ReturnType<typeof makeFakeTempStack>>
interface Env {
  readonly stack: Stack
  readonly dirs: ReadonlyArray<string>
  readonly base: string
  readonly home: string
}

const withTemp = (body: (env: Env) => Effect.Effect<void, unknown, TempVms>) =>
  Effect.gen(function*() {
    const sandbox = makeTempSandbox()
    const stack = yield* makeFakeTempStack(sandbox.home)
    yield* body({ stack, dirs: sandbox.dirs, base: sandbox.base, home: sandbox.home }).pipe(
      Effect.provide(stack.layer),
      Effect.ensuring(Effect.sync(sandbox.cleanup))
    )
  })

const create = (name: string | undefined, mounts: ReadonlyArray<string>, cwd: string, autoDestroy = false) =>
  Effect.flatMap(TempVms, (t) => t.create({ name, mounts, cwd, provider: undefined, autoDestroy }))

describe("TempVms on the Vagrant provider", () => {
  it.live("a temp VM is a project of its own: Vagrantfile, state and an empty /workspace under ~/.vm/temp/<name>", () =>
    withTemp(({ base, dirs, home }) =>
      Effect.gen(function*() {
        const record = yield* create("proj", [dirs[0]!, `${dirs[1]}:ro`], base, true)
        const dir = Path.join(home, ".vm", "temp", "proj")
        expect(Fs.readdirSync(dir).sort()).toEqual([".vm", "Vagrantfile.vmtool", "state.json", "workspace"])
        expect(Fs.readdirSync(Path.join(dir, "workspace"))).toEqual([])
        const state = JSON.parse(Fs.readFileSync(Path.join(dir, "state.json"), "utf8"))
        expect(state).toEqual({
          version: 1,
          name: "proj",
          provider: "docker",
          createdAt: record.createdAt,
          projectDir: base,
          autoDestroy: true,
          mounts: [
            { source: dirs[0], target: "/workspace/src", readonly: false },
            { source: dirs[1], target: "/workspace/tests", readonly: true }
          ],
          appliedMounts: state.mounts
        })
        const vagrantfile = Fs.readFileSync(Path.join(dir, "Vagrantfile.vmtool"), "utf8")
        const section = vagrantfile.split("# BEGIN SYNCED FOLDERS\n")[1]!.split("# END SYNCED FOLDERS")[0]!
        expect(section.trim().split("\n").map((l) => l.trim())).toEqual([
          `config.vm.synced_folder '${dir}/workspace', '/workspace'`,
          `config.vm.synced_folder '${dirs[0]}', '/workspace/src'`,
          `config.vm.synced_folder '${dirs[1]}', '/workspace/tests', docker_consistency: 'ro'`
        ])
        // the VM's own directory (state, keys) never reaches the guest
        expect(vagrantfile).not.toContain(`synced_folder '${dir}', `)
        expect(vagrantfile).toContain("m.vm.hostname = 'temp-proj'")
      })))

  it.live("a mount at /workspace itself replaces the empty placeholder", () =>
    withTemp(({ base, dirs, home }) =>
      Effect.gen(function*() {
        yield* create("ws", [`${dirs[0]}:/workspace`], base)
        const vagrantfile = Fs.readFileSync(Path.join(home, ".vm/temp/ws/Vagrantfile.vmtool"), "utf8")
        expect(vagrantfile).toContain(`config.vm.synced_folder '${dirs[0]}', '/workspace'\n`)
        expect(vagrantfile).not.toContain("/ws/workspace'")
      })))

  it.live("without --name the name is generated (adjective-noun-NN)", () =>
    withTemp(({ base }) =>
      Effect.gen(function*() {
        const record = yield* create(undefined, [], base)
        expect(record.name).toMatch(/^[a-z]+-[a-z]+-\d\d$/)
        expect(yield* Effect.flatMap(TempVms, (t) => t.names)).toEqual([record.name])
      })))

  it.live("invalid mounts or a taken name: refused before anything is created", () =>
    withTemp(({ base, dirs, home, stack }) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        const bad = yield* Effect.flip(create("bad", [dirs[0]!, "/etc"], base))
        expect(bad.message).toContain("mount '/etc'")
        expect(Fs.existsSync(Path.join(home, ".vm/temp/bad"))).toBe(false)
        yield* create("taken", [], base)
        const calls = (yield* stack.vagrant.calls).length
        const taken = yield* Effect.flip(create("taken", [], base))
        expect(taken.message).toBe("temp VM 'taken': already exists; pick another --name")
        expect((yield* stack.vagrant.calls).length).toBe(calls)
        const badName = yield* Effect.flip(create("Bad_Name", [], base))
        expect(badName.message).toContain("temp VM name 'Bad_Name'")
        expect(yield* temp.names).toEqual(["taken"])
      })))

  it.live("a failed create leaves nothing behind", () =>
    withTemp(({ base, dirs, home, stack }) =>
      Effect.gen(function*() {
        stack.controls.failVagrant.add("up")
        const error = yield* Effect.flip(create("broken", [dirs[0]!], base))
        expect(error.message).toContain("fake failure")
        expect(Fs.existsSync(Path.join(home, ".vm/temp/broken"))).toBe(false)
        expect(yield* Effect.flatMap(TempVms, (t) => t.names)).toEqual([])
        expect((yield* stack.vagrant.calls).map((c) => c.args[0])).toContain("destroy")
      })))

  it.live("unmount: by host path, by guest path, --all; nothing given is an error", () =>
    withTemp(({ base, dirs }) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        yield* create("um", [dirs[0]!, dirs[1]!, dirs[2]!], base)
        expect((yield* Effect.flip(temp.unmount("um", { paths: [], all: false }, base))).message).toContain("or --all")
        const byHost = yield* temp.unmount("um", { paths: ["src"], all: false }, base)
        expect(byHost.mounts.map((m) => m.target)).toEqual(["/workspace/tests", `/workspace/it's a "dir"`])
        const byGuest = yield* temp.unmount("um", { paths: ["/workspace/tests/"], all: false }, base)
        expect(byGuest.mounts.map((m) => m.target)).toEqual([`/workspace/it's a "dir"`])
        const none = yield* temp.unmount("um", { paths: [], all: true }, base)
        expect(none.mounts).toEqual([])
        expect(none.appliedMounts).toEqual([])
      })))

  it.live("warm reuse: a running VM of the same provider is found and gets the new mounts", () =>
    withTemp(({ base, dirs, stack }) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        expect(yield* temp.findWarm("docker")).toEqual(Option.none())
        yield* create("warm", [dirs[0]!], base)
        expect(Option.map(yield* temp.findWarm("docker"), (r) => r.name)).toEqual(Option.some("warm"))
        expect(yield* temp.findWarm("virtualbox")).toEqual(Option.none())
        const reused = yield* temp.reuse("warm", { mounts: [`${dirs[1]}:ro`], cwd: base, autoDestroy: true })
        expect(reused.mounts).toEqual([{ source: dirs[1], target: "/workspace/tests", readonly: true }])
        expect(reused.appliedMounts).toEqual(reused.mounts)
        expect(reused.autoDestroy).toBe(true)
        // a stopped VM is not warm
        yield* temp.stop("warm")
        expect(stack.vagrant.states.get("warm")).toBe("stopped")
        expect(yield* temp.findWarm("docker")).toEqual(Option.none())
      })))

  it.live("a failed apply keeps the mount recorded; start applies it", () =>
    withTemp(({ base, dirs, stack }) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        yield* create("retry", [], base)
        stack.controls.failVagrant.add("up")
        yield* Effect.flip(temp.mount("retry", [dirs[0]!], base))
        const pending = yield* temp.get("retry")
        expect(pending.mounts).toHaveLength(1)
        expect(pending.appliedMounts).toEqual([])
        stack.controls.failVagrant.clear()
        const info = yield* temp.start("retry")
        expect(info.state).toBe("running")
        expect((yield* temp.get("retry")).appliedMounts).toEqual(pending.mounts)
      })))

  it.live("two concurrent creates of one name: exactly one wins, the other is told it exists", () =>
    withTemp(({ base }) =>
      Effect.gen(function*() {
        const results = yield* Effect.all([create("same", [], base), create("same", [], base)], {
          concurrency: "unbounded",
          mode: "either"
        })
        expect(results.filter((r) => r._tag === "Right")).toHaveLength(1)
        const lost = results.find((r) => r._tag === "Left")
        expect(lost?._tag === "Left" ? lost.left.message : "").toContain("already exists")
        expect(yield* Effect.flatMap(TempVms, (t) => t.names)).toEqual(["same"])
      })))

  it.live("list skips a VM whose state file is damaged and still shows the others", () =>
    withTemp(({ base, home }) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        yield* create("good", [], base)
        Fs.mkdirSync(Path.join(home, ".vm/temp/damaged"), { recursive: true })
        Fs.writeFileSync(Path.join(home, ".vm/temp/damaged/state.json"), "{ not json")
        expect((yield* temp.list).map((s) => s.record.name)).toEqual(["good"])
        expect((yield* Effect.flip(temp.get("damaged")))._tag).toBe("StateFileError")
      })))

  it.live("resolve: the only VM, a unique prefix, an unknown name", () =>
    withTemp(({ base }) =>
      Effect.gen(function*() {
        const temp = yield* TempVms
        yield* create("alpha-one", [], base)
        expect(yield* temp.resolve(undefined)).toBe("alpha-one")
        expect(yield* temp.resolve("alpha")).toBe("alpha-one")
        expect((yield* Effect.flip(temp.resolve("beta"))).message).toBe("no temp VM named 'beta' (temp VMs: alpha-one)")
      })))
})
