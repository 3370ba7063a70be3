/**
 * Full-VM tier: the provider contracts from packages/core/src/testing against the real Vagrant
 * provider layers (library, not the CLI) on real QEMU (TCG) machines through vagrant-libvirt — the
 * same suites the fakes pass in the unit tests and the docker provider in test/contract.e2e.test.ts.
 *
 * One sandbox project (libvirt, user networking, the local box), one instance per contract; each
 * contract creates its machine and destroys it at its end. The in-process provider runs `vagrant` with
 * this process's environment, so VAGRANT_HOME points into the sandbox (where the box was added) while
 * the suites run.
 *
 * Status contract, "sshd does not answer": the whole VM is frozen from the host (SIGSTOP of its QEMU
 * process, found by `-uuid`; libvirt still says running, the loopback hostfwd accepts but nothing
 * answers) and thawed with SIGCONT.
 */
import { NodeContext } from "@effect/platform-node"
import { decodeGlobalConfig, decodeProjectConfig } from "@vm/core/config/decode"
import { Lifecycle } from "@vm/core/Lifecycle"
import { Progress } from "@vm/core/Progress"
import { ProjectContext, type ProjectContextShape } from "@vm/core/ProjectContext"
import { killContract } from "@vm/core/testing/killContract"
import { lifecycleContract } from "@vm/core/testing/lifecycleContract"
import { statusContract } from "@vm/core/testing/statusContract"
import { ToolsLive, VagrantProviderLayer } from "@vm/vagrant/layers"
import { Effect, Either, Layer } from "effect"
import { join } from "node:path"
import { afterAll, beforeAll, describe } from "vitest"
import { fullVmAvailable, type FullVmSandbox, libvirtVmYaml, makeFullVmSandbox, qemuPids } from "../support/fullvm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const fullvm = await fullVmAvailable()

const NAME = "fv-contract"
const SERVICE_PORT = 8080
const SSH_TIMEOUT_S = 5
/** Per test: a boot of a TCG guest on a loaded 2-core host plus its halt or reload. */
const TIMEOUT_MS = 600_000
const GLOBAL_YAML = `timeouts:\n  ssh: ${SSH_TIMEOUT_S}\n`
const YAML = libvirtVmYaml(NAME, { extra: ["services:", "  web:", `    port: ${SERVICE_PORT}`] })
const START_HTTPD = `ln -sf /usr/bin/busybox /usr/local/bin/httpd && mkdir -p /srv/www && httpd -p 0.0.0.0:${SERVICE_PORT} -h /srv/www`

// the layers need their project before the suites are collected
const sb: FullVmSandbox | undefined = fullvm.ok ? await makeFullVmSandbox({ projectName: NAME, vmYaml: YAML }) : undefined

describe.runIf(sb !== undefined)("provider contracts on full VMs (libvirt, QEMU/TCG, real Vagrant)", () => {
  if (sb === undefined) return
  const context: ProjectContextShape = {
    root: sb.project,
    configFile: join(sb.project, "vm.yaml"),
    config: Either.getOrThrow(decodeProjectConfig(YAML, join(sb.project, "vm.yaml"))),
    global: Either.getOrThrow(decodeGlobalConfig(GLOBAL_YAML, join(sb.home, ".vm", "config.yaml"))),
    home: sb.home
  }
  const provider = VagrantProviderLayer.pipe(
    Layer.provideMerge(Layer.mergeAll(Layer.succeed(ProjectContext, context), ToolsLive, Progress.silent)),
    Layer.provideMerge(NodeContext.layer)
  )

  const savedVagrantHome = process.env["VAGRANT_HOME"]
  let frozen: ReadonlyArray<number> = []
  beforeAll(() => {
    process.env["VAGRANT_HOME"] = join(sb.home, ".vagrant.d")
  })
  afterAll(async () => {
    for (const pid of frozen) {
      try {
        process.kill(pid, "SIGCONT")
      } catch {
        // gone
      }
    }
    await sb.cleanup()
    if (savedVagrantHome === undefined) delete process.env["VAGRANT_HOME"]
    else process.env["VAGRANT_HOME"] = savedVagrantHome
  })

  const exec = (instance: string, argv: ReadonlyArray<string>) =>
    Effect.flatMap(Lifecycle, (l) => l.exec(instance, argv, { output: "capture" })).pipe(
      Effect.filterOrDieMessage((r) => r.exitCode === 0, `guest command failed: ${argv.join(" ")}`)
    )
  const signalVm = (instance: string, signal: "SIGSTOP" | "SIGCONT") =>
    Effect.flatMap(Lifecycle, (l) => l.state(instance)).pipe(
      Effect.flatMap((m) => Effect.promise(() => qemuPids(m.id ?? "no-id"))),
      Effect.flatMap((pids) =>
        pids.length === 0
          ? Effect.dieMessage(`no qemu process of '${instance}'`)
          : Effect.sync(() => {
            for (const pid of pids) process.kill(pid, signal)
            frozen = signal === "SIGSTOP" ? pids : []
          })
      )
    )

  lifecycleContract("Vagrant provider, libvirt (QEMU/TCG), real Vagrant", provider, { instance: "life", timeout: TIMEOUT_MS })

  statusContract("Vagrant provider, libvirt (QEMU/TCG), real Vagrant", provider, {
    instance: "stat",
    timeout: TIMEOUT_MS,
    service: {
      name: "web",
      port: SERVICE_PORT,
      start: exec("stat", ["sudo", "sh", "-c", START_HTTPD]),
      kill: exec("stat", ["sudo", "pkill", "-x", "httpd"])
    },
    freezeSsh: signalVm("stat", "SIGSTOP"),
    thawSsh: signalVm("stat", "SIGCONT"),
    sshTimeoutMs: SSH_TIMEOUT_S * 1000
  })

  killContract("Vagrant provider, libvirt (QEMU/TCG), real Vagrant", provider, {
    instance: "kill",
    guestFile: "/home/vagrant/kill-contract-file",
    timeout: TIMEOUT_MS
  })
})
