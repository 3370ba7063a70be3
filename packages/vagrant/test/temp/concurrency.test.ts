import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ProcessRunnerLive } from "@vm/core/process/ProcessRunner"
import { Progress } from "@vm/core/Progress"
import { TempVms } from "@vm/core/TempVms"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { makeVBoxManageFake } from "../../src/hypervisors/VBoxManage.js"
import { PortAllocatorTest } from "../../src/PortAllocator.js"
import { TempVmsLive } from "../../src/temp/TempVmsLive.js"
import { makeFakeVagrant } from "../../src/testing/FakeVagrant.js"
import { VagrantRunner } from "../../src/VagrantRunner.js"
import { globalWith, makeRecordingDocker, makeRecordingSsh, makeTempSandbox, unusedHypervisors } from "./helpers.js"

describe("concurrent vm temp mount on one VM", () => {
  it.live("10 concurrent mounts: exactly 10 recorded and applied, valid JSON, applies never overlap", () =>
    Effect.gen(function*() {
      const sandbox = makeTempSandbox(Array.from({ length: 10 }, (_, i) => `dir ${i}`))
      const vagrant = yield* makeFakeVagrant
      const ssh = yield* makeRecordingSsh(vagrant.states)
      const vbox = yield* makeVBoxManageFake
      const docker = yield* makeRecordingDocker
      const hypervisors = yield* unusedHypervisors
      // a runner that takes a little time per call and measures how many machine changes run at once
      let inFlight = 0
      let maxInFlight = 0
      const slowRunner = Layer.effect(
        VagrantRunner,
        Effect.map(VagrantRunner, (inner) =>
          VagrantRunner.of({
            run: (args, call) =>
              ["up", "destroy", "reload", "halt"].includes(args[0]!)
                ? Effect.acquireUseRelease(
                  Effect.sync(() => {
                    inFlight++
                    maxInFlight = Math.max(maxInFlight, inFlight)
                  }),
                  () => Effect.zipRight(Effect.sleep("20 millis"), inner.run(args, call)),
                  () => Effect.sync(() => inFlight--)
                )
                : inner.run(args, call)
          }))
      ).pipe(Layer.provide(vagrant.vagrantLayer))
      const layer = TempVmsLive({ home: sandbox.home, global: globalWith({ defaults: { provider: "docker" } }) }).pipe(
        Layer.provideMerge(Layer.mergeAll(slowRunner, ssh.layer, vbox.layer, PortAllocatorTest, Progress.silent, docker.layer, hypervisors)),
        Layer.provideMerge(ProcessRunnerLive),
        Layer.provideMerge(NodeContext.layer)
      )
      yield* Effect.gen(function*() {
        const temp = yield* TempVms
        yield* temp.create({ name: "busy-vm", mounts: [], cwd: sandbox.base, provider: undefined, autoDestroy: false })
        yield* Effect.all(sandbox.dirs.map((dir) => temp.mount("busy-vm", [dir], sandbox.base)), { concurrency: "unbounded" })

        const stateFile = Path.join(sandbox.home, ".vm", "temp", "busy-vm", "state.json")
        const state = JSON.parse(Fs.readFileSync(stateFile, "utf8"))
        expect(state.mounts).toHaveLength(10)
        expect(new Set(state.mounts.map((m: { source: string }) => m.source))).toEqual(new Set(sandbox.dirs))
        expect(state.appliedMounts).toHaveLength(10)
        expect(maxInFlight).toBe(1)

        // the machine was last recreated from a Vagrantfile holding all 10 mounts
        const vagrantfile = Fs.readFileSync(Path.join(sandbox.home, ".vm", "temp", "busy-vm", "Vagrantfile.vmtool"), "utf8")
        const section = vagrantfile.split("# BEGIN SYNCED FOLDERS\n")[1]!.split("# END SYNCED FOLDERS")[0]!
        for (const dir of sandbox.dirs) expect(section).toContain(`'${dir}', '/workspace/${Path.basename(dir)}'`)
        const ups = (yield* vagrant.calls).filter((c) => c.args[0] === "up")
        // the create, then at most one recreate per mount (fewer when one apply covered several)
        expect(ups.length).toBeGreaterThanOrEqual(2)
        expect(ups.length).toBeLessThanOrEqual(11)
        expect(Fs.readdirSync(Path.dirname(stateFile)).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"))).toEqual([])
      }).pipe(Effect.provide(layer), Effect.ensuring(Effect.sync(sandbox.cleanup)))
    }), 60_000)
})
