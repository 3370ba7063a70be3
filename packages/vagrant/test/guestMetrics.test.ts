import { describe, expect, it } from "@effect/vitest"
import { decodeProjectConfig } from "@vm/core/config/decode"
import { Effect, Either } from "effect"
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import { decodeGuestMetrics, metricsCommand, serviceProbes } from "../src/status/guestMetrics.js"
import { fromMetrics } from "../src/status/VagrantStatusReporter.js"
import { METRICS_SCRIPT } from "./support/metricsFixture.js"

const fixture = (name: string) => Fs.readFileSync(new URL(`./fixtures/guest/${name}`, import.meta.url), "utf8")
const config = (yaml: string) => Either.getOrThrow(decodeProjectConfig(`project:\n  name: t\n${yaml}`, "vm.yaml"))

describe("decodeGuestMetrics", () => {
  it.effect("decodes output captured in a docker-provider guest (512 MB, 1 CPU, a busybox httpd)", () =>
    Effect.gen(function*() {
      const m = yield* decodeGuestMetrics(fixture("metrics-docker-container.json"))
      expect(m).toMatchObject({ container: true, cpuCount: 1, memoryLimitKb: 524288, errors: [] })
      expect(m.services).toEqual([
        { name: "web", running: true, detail: "pid 10, listening on 18080", error: null },
        { name: "db", running: false, detail: null, error: "no process named postgres; nothing listens on port 5432" }
      ])
    }))

  it.effect("decodes output captured on a Debian host (no cgroup, real /proc)", () =>
    Effect.gen(function*() {
      const m = yield* decodeGuestMetrics(fixture("metrics-debian-host.json"))
      expect(m).toMatchObject({ container: false, cpuCount: 2, memoryLimitKb: 24683656, diskTotalKb: 264212084 })
    }))

  it.effect("ignores what a guest's shell start-up files print before the JSON line", () =>
    Effect.gen(function*() {
      const m = yield* decodeGuestMetrics(`Welcome to the guest!\n${fixture("metrics-debian-host.json")}\n\n`)
      expect(m.cpuCount).toBe(2)
    }))

  it.effect("malformed JSON is a ParseFailed carrying the text", () =>
    Effect.gen(function*() {
      const text = fixture("metrics-debian-host.json").slice(0, 80)
      const error = yield* Effect.flip(decodeGuestMetrics(text))
      expect(error).toMatchObject({ _tag: "ParseFailed", what: "guest metrics", input: text })
      expect(error.message).toContain("could not parse guest metrics")
    }))

  it.effect("a missing field is a ParseFailed naming it", () =>
    Effect.gen(function*() {
      const { memoryLimitKb: _gone, ...rest } = JSON.parse(fixture("metrics-debian-host.json"))
      const error = yield* Effect.flip(decodeGuestMetrics(JSON.stringify(rest)))
      expect(error._tag).toBe("ParseFailed")
      expect(error.reason).toContain("memoryLimitKb")
    }))

  it.effect("a wrong type, a negative size or another version is a ParseFailed", () =>
    Effect.gen(function*() {
      const base = JSON.parse(fixture("metrics-debian-host.json"))
      for (const patch of [{ cpuPercent: "12" }, { diskTotalKb: -1 }, { version: 2 }, { services: [{ name: "x" }] }]) {
        const error = yield* Effect.flip(decodeGuestMetrics(JSON.stringify({ ...base, ...patch })))
        expect(error._tag, JSON.stringify(patch)).toBe("ParseFailed")
      }
      expect((yield* Effect.flip(decodeGuestMetrics(""))).input).toBe("")
    }))
})

describe("serviceProbes", () => {
  const yaml = [
    "ports:",
    "  app: 3000",
    "services:",
    "  app: {port: 3000, process: node}",
    "  admin: {port: 9000, host_port: 19000}",
    "  worker: {process: worker, unit: worker.service}",
    "  off: {enabled: false, port: 1}",
    ""
  ].join("\n")

  it("keeps enabled services in file order; the host port is the forwarded or configured one", () => {
    expect(serviceProbes(config(yaml), false)).toEqual([
      { name: "app", process: "node", unit: undefined, port: 3000, hostPort: 3000 },
      { name: "admin", process: undefined, unit: undefined, port: 9000, hostPort: 19000 },
      { name: "worker", process: "worker", unit: "worker.service", port: undefined, hostPort: null }
    ])
  })

  it("where guest ports are host ports (docker's host network) every guest port is the host port", () => {
    const probes = serviceProbes(config("services:\n  web: {port: 8080}\n"), true)
    expect(probes[0]?.hostPort).toBe(8080)
    expect(serviceProbes(config("services:\n  web: {port: 8080}\n"), false)[0]?.hostPort).toBeNull()
  })
})

describe("metricsCommand", () => {
  it.effect("sh splits it back into exactly the probes, whatever the service names contain", () =>
    Effect.gen(function*() {
      const names = ["it's", "a b", "$(touch /tmp/pwned)", "`x`", ";", "--container", "*"]
      const probes = names.map((name) => ({ name, process: undefined, unit: undefined, port: 1, hostPort: null }))
      const command = metricsCommand(probes, { container: false, sampleCs: 1, reuseCs: 0 })
      expect(command.startsWith("sh -s -- --sample-cs 1 --reuse-cs 0 --service ")).toBe(true)
      const r = spawnSync("/bin/sh", ["-c", command], { input: Fs.readFileSync(METRICS_SCRIPT), encoding: "utf8" })
      const m = yield* decodeGuestMetrics(r.stdout)
      expect(m.services.map((s) => s.name)).toEqual(names)
      expect(m.container).toBe(false)
      expect(metricsCommand([], { container: true, sampleCs: 20, reuseCs: 1000 }))
        .toBe("sh -s -- --container --sample-cs 20 --reuse-cs 1000")
    }))
})

describe("fromMetrics", () => {
  it.effect("converts KB to MB and GB and matches the guest's answers to the probes by position and name", () =>
    Effect.gen(function*() {
      const m = yield* decodeGuestMetrics(fixture("metrics-docker-container.json"))
      const probes = [
        { name: "web", process: "httpd", unit: undefined, port: 18080, hostPort: 18080 },
        { name: "db", process: "postgres", unit: undefined, port: 5432, hostPort: 5432 },
        { name: "extra", process: "x", unit: undefined, port: undefined, hostPort: null }
      ]
      const r = fromMetrics(probes, m)
      expect(r.resources).toEqual({
        cpuPercent: 17.7,
        // recorded before the script reported its window
        cpuWindowSeconds: null,
        cpuCount: 1,
        memoryUsedMb: 1.3,
        memoryLimitMb: 512,
        diskUsedGb: 23.13,
        diskTotalGb: 251.97
      })
      expect(fromMetrics(probes, { ...m, cpuWindowCs: 250 }).resources.cpuWindowSeconds).toBe(2.5)
      expect(r.services).toEqual([
        { name: "web", isRunning: true, port: 18080, hostPort: 18080, detail: "pid 10, listening on 18080", error: null },
        {
          name: "db",
          isRunning: false,
          port: 5432,
          hostPort: 5432,
          detail: null,
          error: "no process named postgres; nothing listens on port 5432"
        },
        { name: "extra", isRunning: null, port: null, hostPort: null, detail: null, error: "missing from the guest's answer" }
      ])
    }))
})
