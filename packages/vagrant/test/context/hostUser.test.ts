import { describe, expect, layer } from "@effect/vitest"
import { ContextualLifecycle } from "@vm/core/ContextualLifecycle"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { makeFakeVagrant } from "../../src/testing/FakeVagrant.js"
import { VAGRANTFILE_NAME } from "../../src/VagrantRunner.js"
import { makeTempProject, providerWithFakes } from "../helpers.js"

const project = makeTempProject((ws) => `project:\n  name: ids\n  workspace_path: ${JSON.stringify(ws)}\nvagrant:\n  provider: docker\n`)
afterAll(() => project.cleanup())
const stateFile = Path.join(project.root, ".vm/state.json")
const readState = () => JSON.parse(Fs.readFileSync(stateFile, "utf8"))
const fake = Effect.runSync(makeFakeVagrant)

describe("the host user's ids reach the docker machine (HostTools.user)", () => {
  layer(providerWithFakes(project.ctx, fake.layer, { hostUser: { uid: 0, gid: 0 } }), { excludeTestServices: true })((it) => {
    it.effect("a root host user: the container environment carries 0:0 and the booted plan records it", () =>
      Effect.gen(function*() {
        yield* (yield* Lifecycle).create("dev", { force: false })
        const text = Fs.readFileSync(Path.join(project.root, VAGRANTFILE_NAME), "utf8")
        expect(text).toContain("d.env = { 'SSH_PORT' => ")
        expect(text).toMatch(/'VM_HOST_UID' => '0', 'VM_HOST_GID' => '0' }/)
        expect(readState().instances.dev.booted.guestUser).toBe("0:0")
        expect(yield* (yield* ContextualLifecycle).drift("dev", project.ctx)).toEqual({ configChanged: false, action: "none", reasons: [] })
      }))

    it.effect("a machine booted before vm gave the ids (no record of them): drift says recreate, and why", () =>
      Effect.gen(function*() {
        const state = readState()
        delete state.instances.dev.booted.guestUser
        Fs.writeFileSync(stateFile, JSON.stringify(state))
        expect(yield* (yield* ContextualLifecycle).drift("dev", project.ctx)).toEqual({
          configChanged: true,
          action: "recreate",
          reasons: ["guest user's uid:gid changed (the image's own → 0:0)"]
        })
      }))
  })

  // the same project, now run by the image's own 1000:1000: the machine (booted with 0:0) must be recreated
  layer(providerWithFakes(project.ctx, fake.layer), { excludeTestServices: true })((it) => {
    it.effect("another host user: the file loses the ids, drift names the change", () =>
      Effect.gen(function*() {
        const state = readState()
        state.instances.dev.booted.guestUser = "0:0"
        Fs.writeFileSync(stateFile, JSON.stringify(state))
        const drift = yield* (yield* ContextualLifecycle).drift("dev", project.ctx)
        expect(drift).toMatchObject({ action: "recreate", reasons: ["guest user's uid:gid changed (0:0 → the image's own)"] })
        yield* (yield* Lifecycle).stop("dev") // rewrites the file with dev in it
        const text = Fs.readFileSync(Path.join(project.root, VAGRANTFILE_NAME), "utf8")
        expect(text).toContain("config.vm.define")
        expect(text).not.toContain("VM_HOST_UID")
        yield* (yield* Lifecycle).destroy("dev")
      }))
  })
})
