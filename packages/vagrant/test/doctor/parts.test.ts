import { describe, expect, it } from "@effect/vitest"
import { CommandFailed, ToolNotInstalled, VagrantNotInstalled } from "@vm/core/errors"
import { ProcessRunnerTest } from "@vm/core/process/ProcessRunner"
import { Effect, Layer } from "effect"
import { fail, ok, runChecks } from "../../src/doctor/Check.js"
import { compareVersions, parseBoxList, parsePluginList, parseVagrantVersion } from "../../src/doctor/vagrantFacts.js"
import { DockerCli, DockerCliLive } from "../../src/hypervisors/DockerCli.js"
import { Virsh, VirshLive } from "../../src/hypervisors/Virsh.js"
import { libvirt } from "../../src/providers/libvirt.js"
import { docker } from "../../src/providers/docker.js"
import * as F from "../../src/testing/fixtures/hostChecks.js"
import type { CliRun } from "../../src/testing/fixtures/types.js"

describe("reading Vagrant's answers", () => {
  it("version, plugins and boxes from the recorded machine-readable output", () => {
    expect(parseVagrantVersion(F.VAGRANT_VERSION.stdout)).toBe("2.3.4")
    expect(parseVagrantVersion("Vagrant Failed to initialize\n")).toBeUndefined()
    expect(parsePluginList(F.VAGRANT_PLUGIN_LIST_LIBVIRT.stdout)).toEqual([{ name: "vagrant-libvirt", version: "0.11.2, system" }])
    expect(parsePluginList(F.VAGRANT_PLUGIN_LIST_NONE.stdout)).toEqual([])
    expect(parseBoxList(F.VAGRANT_BOX_LIST_LIBVIRT.stdout)).toEqual([
      { name: "vm-local/debian-libvirt", provider: "libvirt", version: "1.20261130032313" }
    ])
    expect(parseBoxList(F.VAGRANT_BOX_LIST_EMPTY.stdout)).toEqual([])
  })

  it("versions compare by number, not by text", () => {
    expect(compareVersions("2.3.4", "2.3.4")).toBe(0)
    expect(compareVersions("2.10.0", "2.3.4")).toBeGreaterThan(0)
    expect(compareVersions("2.2.19", "2.3.4")).toBeLessThan(0)
  })
})

describe("running checks", () => {
  it.live("in parallel, in the given order, a check after a failed one skipped, a hanging one failed at the limit", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const results = yield* runChecks([
        { name: "slow", fix: "x", run: Effect.as(Effect.sleep("150 millis"), ok("done")) },
        { name: "broken", fix: "repair it", run: Effect.succeed(fail("broken", "repair it")) },
        { name: "needs broken", after: ["broken"], fix: "x", run: Effect.die("must not run") },
        { name: "needs slow", after: ["slow"], fix: "x", run: Effect.succeed(ok("after slow")) },
        { name: "hangs", fix: "restart it", run: Effect.never },
        { name: "errs", fix: "look at it", run: Effect.fail({ message: "it said\nno" }) }
      ], 400)
      expect(Date.now() - started).toBeLessThan(2000)
      expect(results.map((r) => [r.name, r.status])).toEqual([
        ["slow", "ok"],
        ["broken", "fail"],
        ["needs broken", "skip"],
        ["needs slow", "ok"],
        ["hangs", "fail"],
        ["errs", "fail"]
      ])
      expect(results[2]!.detail).toBe("not checked: 'broken' did not pass")
      expect(results[4]).toMatchObject({ detail: "no answer within 0.4 s", fix: "restart it" })
      expect(results[5]).toMatchObject({ detail: "it said no", fix: "look at it" })
    }))
})

const answering = (run: CliRun) =>
  ProcessRunnerTest(() => Effect.succeed({ stdout: run.stdout, stderr: run.stderr, exitCode: run.exitCode }))

describe("errors caused by the host point to vm doctor", () => {
  it("a missing tool or Vagrant", () => {
    expect(new ToolNotInstalled({ tool: "docker", hint: "install it" }).message).toContain("`vm doctor`")
    expect(new VagrantNotInstalled().message).toContain("`vm doctor`")
  })

  it.effect("docker failing because its daemon does not answer (recorded), and not for other failures", () =>
    Effect.gen(function*() {
      const down = yield* Effect.flip(Effect.flatMap(DockerCli, (d) => d.run(["version", "--format", "{{.Server.Version}}"], { timeoutMs: 1000 }))).pipe(
        Effect.provide(DockerCliLive.pipe(Layer.provide(answering(F.DOCKER_SERVER_VERSION_NO_DAEMON))))
      )
      expect(down.message).toContain("Cannot connect to the Docker daemon")
      expect(down.message).toContain("the docker daemon does not answer; `vm doctor`")
      const missingImage = yield* Effect.flip(Effect.flatMap(DockerCli, (d) => d.run(["image", "inspect", "x"], { timeoutMs: 1000 }))).pipe(
        Effect.provide(DockerCliLive.pipe(Layer.provide(answering(F.DOCKER_IMAGE_INSPECT_MISSING))))
      )
      expect(missingImage.message).not.toContain("vm doctor")
    }))

  it.effect("virsh failing because libvirtd does not answer (recorded)", () =>
    Effect.gen(function*() {
      const down = yield* Effect.flip(Effect.flatMap(Virsh, (v) => v.destroy("qemu:///system", "u", 1000))).pipe(
        Effect.provide(VirshLive.pipe(Layer.provide(answering(F.VIRSH_VERSION_NO_DAEMON))))
      )
      expect(down.message).toContain("libvirt does not answer; `vm doctor`")
    }))

  it("the provider modules recognise their daemon's failure in Vagrant's output", () => {
    expect(docker.doctor.daemonUnreachable?.test(F.DOCKER_SERVER_VERSION_NO_DAEMON.stderr)).toBe(true)
    expect(docker.doctor.daemonUnreachable?.test(F.DOCKER_SERVER_VERSION_PERMISSION_DENIED.stderr)).toBe(true)
    expect(docker.doctor.daemonUnreachable?.test(F.DOCKER_IMAGE_INSPECT_MISSING.stderr)).toBe(false)
    // vagrant-libvirt 0.11 locales/en.yml fog_libvirt_connection_error
    expect(libvirt.doctor.daemonUnreachable?.test("Error while connecting to Libvirt: Error making a connection to libvirt URI qemu:///system")).toBe(true)
    expect(libvirt.doctor.daemonUnreachable?.test(F.VIRSH_VERSION_NO_DAEMON.stderr)).toBe(true)
    expect(new CommandFailed({ command: ["x"], exitCode: 1, stderrTail: "e", hint: "do y" }).message).toBe("`x` exited with code 1:\ne\ndo y")
  })
})
