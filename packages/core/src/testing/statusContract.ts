import { describe, expect, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { Lifecycle } from "../Lifecycle.js"
import { type StatusReport, StatusReporter } from "../StatusReport.js"

export interface StatusContractOptions {
  /** Instance the suite creates and destroys. */
  readonly instance: string
  /** Per-test timeout (real providers need seconds per step). */
  readonly timeout?: number
  /**
   * A service enabled in the project's config (services: NAME: {port: PORT, …}) and how to start
   * and kill it inside the running guest.
   */
  readonly service: {
    readonly name: string
    readonly port: number
    readonly start: Effect.Effect<void, unknown, Lifecycle>
    readonly kill: Effect.Effect<void, unknown, Lifecycle>
  }
  /** Makes the guest's sshd stop answering (connections hang), and undoes it. */
  readonly freezeSsh: Effect.Effect<void, unknown, Lifecycle>
  readonly thawSsh: Effect.Effect<void, unknown, Lifecycle>
  /** The configured bound of the guest part (timeouts.ssh); a frozen guest must be reported within it. */
  readonly sshTimeoutMs: number
}

/** Slack for process start-up and the state query on top of the ssh bound (a loaded CI host). */
const SLACK_MS = 8_000

const expectLiveResources = (report: StatusReport) => {
  const r = report.resources
  expect(report.errors).toEqual([])
  expect(r.cpuCount).toBeGreaterThanOrEqual(1)
  expect(r.cpuPercent).toBeGreaterThanOrEqual(0)
  expect(r.cpuPercent).toBeLessThanOrEqual(100 * r.cpuCount!)
  expect(r.memoryLimitMb).toBeGreaterThan(0)
  expect(r.memoryUsedMb).toBeGreaterThanOrEqual(0)
  expect(r.memoryUsedMb).toBeLessThanOrEqual(r.memoryLimitMb!)
  expect(r.diskTotalGb).toBeGreaterThan(0)
  expect(r.diskUsedGb).toBeGreaterThanOrEqual(0)
  expect(r.diskUsedGb).toBeLessThanOrEqual(r.diskTotalGb!)
  expect(report.uptimeSeconds).toBeGreaterThanOrEqual(0)
}

/**
 * What every provider's StatusReporter must report, as one ordered scenario on one machine
 * (provider layer = Lifecycle + StatusReporter). Run against fakes in unit tests and against
 * real Vagrant in the e2e suite.
 */
export const statusContract = <E>(
  name: string,
  provider: Layer.Layer<Lifecycle | StatusReporter, E>,
  options: StatusContractOptions
) => {
  const { instance, service } = options
  const timeout = options.timeout ?? 30_000
  const serviceOf = (report: StatusReport) => report.services.find((s) => s.name === service.name)

  describe(`Status contract: ${name}`, () => {
    layer(provider, { timeout, excludeTestServices: true })((it) => {
      it.effect("an unknown machine is a VmNotFound error", () =>
        Effect.gen(function*() {
          const error = yield* Effect.flip((yield* StatusReporter).report("no-such-machine"))
          expect(error._tag).toBe("VmNotFound")
        }), timeout)

      it.effect("a running machine reports live resources within their bounds", () =>
        Effect.gen(function*() {
          const created = yield* (yield* Lifecycle).create(instance, { force: false })
          const report = yield* (yield* StatusReporter).report(instance, { fresh: true })
          expect(report).toMatchObject({ name: instance, state: "running", isRunning: true, stale: false })
          expect(report.machineId).toBe(created.id)
          expectLiveResources(report)
          expect(Date.parse(report.collectedAt)).not.toBeNaN()
        }), timeout)

      it.effect("uptime grows", () =>
        Effect.gen(function*() {
          const reporter = yield* StatusReporter
          const first = yield* reporter.report(instance, { fresh: true })
          yield* Effect.sleep("2500 millis")
          const second = yield* reporter.report(instance, { fresh: true })
          expect(second.uptimeSeconds!).toBeGreaterThan(first.uptimeSeconds!)
        }), timeout)

      it.effect("a second report right away comes from the cache, marked stale; fresh bypasses it", () =>
        Effect.gen(function*() {
          const reporter = yield* StatusReporter
          const live = yield* reporter.report(instance, { fresh: true })
          const cached = yield* reporter.report(instance)
          expect(cached).toEqual({ ...live, stale: true })
          const again = yield* reporter.report(instance, { fresh: true })
          expect(again.stale).toBe(false)
          expect(Date.parse(again.collectedAt)).toBeGreaterThan(Date.parse(live.collectedAt))
        }), timeout)

      it.effect("a configured service shows running with its port, and not running once killed", () =>
        Effect.gen(function*() {
          const reporter = yield* StatusReporter
          yield* service.start
          const up = yield* reporter.report(instance, { fresh: true })
          expect(serviceOf(up), JSON.stringify(up.services)).toMatchObject({
            name: service.name,
            isRunning: true,
            port: service.port,
            error: null
          })
          expect(serviceOf(up)?.detail).toContain(String(service.port))
          yield* service.kill
          const down = yield* reporter.report(instance, { fresh: true })
          expect(serviceOf(down), JSON.stringify(down.services)).toMatchObject({ isRunning: false, port: service.port })
          expect(serviceOf(down)?.error).toContain(String(service.port))
        }), timeout)

      it.effect("a guest whose sshd does not answer is reported running, with an ssh error, within the timeout", () =>
        Effect.gen(function*() {
          const reporter = yield* StatusReporter
          yield* options.freezeSsh
          const started = Date.now()
          const report = yield* reporter.report(instance, { fresh: true }).pipe(Effect.ensuring(Effect.ignore(options.thawSsh)))
          const elapsed = Date.now() - started
          expect(report).toMatchObject({ state: "running", isRunning: true })
          expect(report.errors.join("\n")).toMatch(/ssh/i)
          expect(report.resources.memoryLimitMb).toBeNull()
          expect(serviceOf(report)?.isRunning).toBeNull()
          expect(elapsed).toBeLessThan(options.sshTimeoutMs + SLACK_MS)
          const recovered = yield* reporter.report(instance, { fresh: true })
          expectLiveResources(recovered)
        }), timeout)

      it.effect("a stopped machine reports stopped with no resources", () =>
        Effect.gen(function*() {
          yield* (yield* Lifecycle).stop(instance)
          const report = yield* (yield* StatusReporter).report(instance)
          expect(report).toMatchObject({ state: "stopped", isRunning: false, uptimeSeconds: null, errors: [] })
          expect(Object.values(report.resources)).toEqual(Object.values(report.resources).map(() => null))
          expect(serviceOf(report)).toMatchObject({ isRunning: false })
        }), timeout)

      it.effect("after destroy the machine is unknown", () =>
        Effect.gen(function*() {
          yield* (yield* Lifecycle).destroy(instance)
          const error = yield* Effect.flip((yield* StatusReporter).report(instance))
          expect(error._tag).toBe("VmNotFound")
        }), timeout)
    })
  })
}
