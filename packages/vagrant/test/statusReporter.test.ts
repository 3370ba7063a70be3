import { describe, expect, it } from "@effect/vitest"
import { decodeGlobalConfig } from "@vm/core/config/decode"
import { Lifecycle } from "@vm/core/Lifecycle"
import { StatusReporter } from "@vm/core/StatusReport"
import { Effect, Either, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { afterAll } from "vitest"
import { SshClientFake } from "../src/SshClient.js"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

// The exact tool calls behind `vm status` and `vm list`, on the fake Vagrant.
const projects: Array<{ cleanup: () => void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))

const setup = (provider: "docker" | "virtualbox", global = "") => {
  const project = makeTempProject(
    (ws) =>
      `project:\n  name: rep\n  workspace_path: ${
        JSON.stringify(ws)
      }\nvagrant:\n  provider: ${provider}\nservices:\n  web: {port: 8080}\n  off: {enabled: false, port: 1}\n`,
    Either.getOrThrow(decodeGlobalConfig(global, "config.yaml"))
  )
  projects.push(project)
  const fake = Effect.runSync(makeFakeVagrant)
  return { project, fake }
}

const vagrantVerbs = (calls: ReadonlyArray<{ args: ReadonlyArray<string> }>) => calls.map((c) => c.args[0])

describe("vm status on the docker provider", () => {
  const { fake, project } = setup("docker")
  it.effect("one docker inspect for the state, one ssh round trip for the rest, then the cache", () =>
    Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const reporter = yield* StatusReporter
      const created = yield* lifecycle.create("dev", { force: false })
      const vagrantBefore = (yield* fake.calls).length
      const hvBefore = (yield* fake.hypervisorCalls).length

      const live = yield* reporter.report("dev")
      expect(live).toMatchObject({ state: "running", stale: false, errors: [] })
      expect((yield* fake.hypervisorCalls).slice(hvBefore)).toEqual([
        ["docker", "inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", created.id]
      ])
      // a boot forgets the ssh-config; on the loopback port vm allocated, with the key Vagrant put in
      // place, it is known without asking Vagrant
      expect(vagrantVerbs((yield* fake.calls).slice(vagrantBefore))).toEqual([])
      const config = Fs.readFileSync(Path.join(project.ctx.root, ".vm/ssh/dev.config"), "utf8")
      expect(config).toContain(`  IdentityFile ${Path.join(project.ctx.root, ".vm/vagrant/machines/dev/docker/private_key")}\n`)
      expect(config).toMatch(/^ {2}HostName 127\.0\.0\.1\n {2}User vagrant\n {2}Port \d+\n/m)
      expect((yield* fake.sshLog).map((s) => s.command)).toEqual([
        "sh -s -- --container --sample-cs 20 --reuse-cs 1000 --service web '' '' 8080"
      ])

      const cached = yield* reporter.report("dev")
      expect(cached).toEqual({ ...live, stale: true })
      expect(yield* fake.sshLog).toHaveLength(1)
      expect(vagrantVerbs((yield* fake.calls).slice(vagrantBefore))).toEqual([])

      expect((yield* reporter.report("dev", { fresh: true })).stale).toBe(false)
      expect(yield* fake.sshLog).toHaveLength(2)
    }).pipe(Effect.provide(providerWithFakes(project.ctx, fake.layer))))

  it.live("a restart changes the container's start time: the cached report is not used", () =>
    Effect.gen(function*() {
      const reporter = yield* StatusReporter
      yield* reporter.report("dev", { fresh: true })
      yield* Effect.sleep("5 millis")
      yield* (yield* Lifecycle).restart("dev")
      const before = (yield* fake.sshLog).length
      expect((yield* reporter.report("dev")).stale).toBe(false)
      expect(yield* fake.sshLog).toHaveLength(before + 1)
    }).pipe(Effect.provide(providerWithFakes(project.ctx, fake.layer))))

  it.effect("a stopped machine: no ssh call; list reads every state with one docker inspect", () =>
    Effect.gen(function*() {
      const lifecycle = yield* Lifecycle
      const second = yield* lifecycle.create("second", { force: false })
      const dev = yield* lifecycle.stop("dev")
      const ssh = (yield* fake.sshLog).length
      const vagrant = (yield* fake.calls).length
      const hv = (yield* fake.hypervisorCalls).length
      const report = yield* (yield* StatusReporter).report("dev")
      expect(report).toMatchObject({ state: "stopped", isRunning: false })
      expect(report.services).toEqual([{ name: "web", isRunning: false, port: 8080, hostPort: 8080, detail: null, error: null }])
      expect(yield* fake.sshLog).toHaveLength(ssh)
      const listed = yield* lifecycle.list
      expect(listed.map((m) => [m.name, m.state])).toEqual([["dev", "stopped"], ["second", "running"]])
      expect((yield* fake.hypervisorCalls).slice(hv)).toEqual([
        ["docker", "inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", dev.id],
        ["docker", "inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", dev.id, second.id]
      ])
      // neither status nor list costs a Vagrant start-up
      expect((yield* fake.calls).slice(vagrant)).toEqual([])
    }).pipe(Effect.provide(providerWithFakes(project.ctx, fake.layer))))
})

describe("vm status before Vagrant has put its own key in place", () => {
  const { fake, project } = setup("docker")
  it.effect("asks Vagrant for the ssh-config (it may still use its insecure key)", () =>
    Effect.gen(function*() {
      yield* (yield* Lifecycle).create("dev", { force: false })
      Fs.rmSync(Path.join(project.ctx.root, ".vm/vagrant/machines/dev/docker/private_key"))
      const before = (yield* fake.calls).length
      expect((yield* (yield* StatusReporter).report("dev", { fresh: true })).errors).toEqual([])
      expect(vagrantVerbs((yield* fake.calls).slice(before))).toEqual(["ssh-config"])
    }).pipe(Effect.provide(providerWithFakes(project.ctx, fake.layer))))
})

describe("vm status on the virtualbox provider", () => {
  const { fake, project } = setup("virtualbox")
  it.effect("the state comes from VBoxManage showvminfo, not vagrant status", () =>
    Effect.gen(function*() {
      const created = yield* (yield* Lifecycle).create("dev", { force: false })
      const hv = (yield* fake.hypervisorCalls).length
      const report = yield* (yield* StatusReporter).report("dev", { fresh: true })
      expect(report).toMatchObject({ provider: "virtualbox", state: "running", rawState: "running", errors: [] })
      expect((yield* fake.hypervisorCalls).slice(hv)).toEqual([["VBoxManage", "showvminfo", created.id, "--machinereadable"]])
      expect(vagrantVerbs(yield* fake.calls)).not.toContain("status")
      // a VM is not a container: no cgroup mode
      expect((yield* fake.sshLog).at(-1)?.command).toBe("sh -s -- --sample-cs 20 --reuse-cs 1000 --service web '' '' 8080")
      // VirtualBox's NAT port is Vagrant's choice, not vm's: its ssh-config comes from Vagrant
      expect(vagrantVerbs(yield* fake.calls)).toContain("ssh-config")
    }).pipe(Effect.provide(providerWithFakes(project.ctx, fake.layer))))
})

describe("vm status when the guest answers badly", () => {
  const answering = (answer: { exitCode: number; stdout: string; stderr: string }) => {
    const { fake, project } = setup("docker", "status:\n  cache_seconds: 0\n")
    const ssh = SshClientFake(() => Effect.succeed(answer))
    return providerWithFakes(project.ctx, Layer.mergeAll(fake.vagrantLayer, fake.dockerLayer, fake.vboxLayer, ssh))
  }

  it.effect("malformed output: a valid report whose error carries the text", () =>
    Effect.gen(function*() {
      yield* (yield* Lifecycle).create("dev", { force: false })
      const report = yield* (yield* StatusReporter).report("dev")
      expect(report).toMatchObject({ state: "running", isRunning: true, resources: { memoryLimitMb: null } })
      expect(report.errors).toHaveLength(1)
      expect(report.errors[0]).toContain("could not parse guest metrics")
      expect(report.errors[0]).toContain('{\\"version\\":1,\\"trunc')
      expect(report.services).toEqual([
        { name: "web", isRunning: null, port: 8080, hostPort: 8080, detail: null, error: "not probed: no usable answer from the guest" }
      ])
    }).pipe(Effect.provide(answering({ exitCode: 0, stdout: '{"version":1,"trunc', stderr: "" }))))

  it.effect("the script failing: the error says how, and nothing is cached", () =>
    Effect.gen(function*() {
      yield* (yield* Lifecycle).create("dev", { force: false })
      const reporter = yield* StatusReporter
      const report = yield* reporter.report("dev")
      expect(report.errors).toEqual(["ssh to 'dev' failed: the metrics script exited with 2: sh: 1: Syntax error"])
      expect((yield* reporter.report("dev")).stale).toBe(false)
    }).pipe(Effect.provide(answering({ exitCode: 2, stdout: "", stderr: "sh: 1: Syntax error\n" }))))
})
