import type { VagrantProviderName } from "@vm/core/config/schema"
import { PROVIDER_NAMES } from "../src/providers/registry.js"
import { decodeGlobalConfig } from "@vm/core/config/decode"
import { statusContract } from "@vm/core/testing/statusContract"
import { Effect, Either } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Net from "node:net"
import { afterAll } from "vitest"
import { machineNameFor } from "../src/names.js"
import { makeFakeVagrant } from "../src/testing/FakeVagrant.js"
import { makeTempProject, providerWithFakes } from "./helpers.js"

// The fake ssh runs guest/metrics.sh with the local sh against this host's /proc: the parsing,
// the report and the service probe are real, only Vagrant and the transport are simulated.
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
const SSH_TIMEOUT_S = 2
const cleanups: Array<() => void> = []
afterAll(() => cleanups.forEach((f) => f()))

/** The contract on one provider module: state from its hypervisor CLI's fake, or from the fake `vagrant status`. */
const contractOn = async (provider: VagrantProviderName) => {
  const port = await freePort()
  const project = makeTempProject(
    (ws) =>
      [
        "project:",
        `  name: status-contract-${provider}`,
        `  workspace_path: ${JSON.stringify(ws)}`,
        "vagrant:",
        `  provider: ${provider}`,
        "services:",
        "  web:",
        `    port: ${port}`,
        ""
      ].join("\n"),
    Either.getOrThrow(decodeGlobalConfig(`timeouts:\n  ssh: ${SSH_TIMEOUT_S}\n`, "config.yaml"))
  )
  const fake = Effect.runSync(makeFakeVagrant)
  let listener: ChildProcess | undefined
  cleanups.push(() => {
    listener?.kill("SIGKILL")
    project.cleanup()
  })

  const listening = (want: boolean) =>
    Effect.promise(async () => {
      for (let i = 0; i < 100; i++) {
        const open = await new Promise<boolean>((resolve) => {
          const socket = Net.connect(port, "127.0.0.1", () => (socket.destroy(), resolve(true)))
          socket.once("error", () => resolve(false))
        })
        if (open === want) return
        await new Promise((r) => setTimeout(r, 50))
      }
      throw new Error(`port ${port} did not become ${want ? "open" : "closed"}`)
    })

  statusContract(`Vagrant provider (${provider}) on a fake Vagrant`, providerWithFakes(project.ctx, fake.layer), {
    instance: "dev",
    service: {
      name: "web",
      port,
      start: Effect.zipRight(
        Effect.sync(() => {
          listener = spawn(process.execPath, ["-e", `require("net").createServer().listen(${port}, "127.0.0.1")`], {
            stdio: "ignore"
          })
        }),
        listening(true)
      ),
      kill: Effect.zipRight(Effect.sync(() => listener?.kill("SIGKILL")), listening(false))
    },
    freezeSsh: Effect.sync(() => fake.frozen.add(machineNameFor("dev"))),
    thawSsh: Effect.sync(() => fake.frozen.delete(machineNameFor("dev"))),
    sshTimeoutMs: SSH_TIMEOUT_S * 1000
  })
}

for (const provider of PROVIDER_NAMES) await contractOn(provider)
