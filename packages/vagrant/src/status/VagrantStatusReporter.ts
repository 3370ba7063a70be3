import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { CommandTimeout, noResources, type ServiceStatus, SshFailed, type StatusReport, StatusReporter, type VmError } from "@vm/core"
import { tail } from "@vm/core/provider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { guestScript } from "../guestScripts.js"
import { SshClient } from "../SshClient.js"
import { normalizeState } from "../providers/registry.js"
import { VagrantProjectTag } from "../project/VagrantProject.js"
import { decodeGuestMetrics, type GuestMetrics, metricsCommand, type ServiceProbe, serviceProbes } from "./guestMetrics.js"
import { readCachedReport, STATUS_CACHE_DIR, writeCachedReport } from "./reportCache.js"

/** Shortest CPU window inside the guest: long enough to be meaningful, short enough for a quick answer. */
export const CPU_SAMPLE_CS = 20
/**
 * The previous report's CPU reading starts the window when it is at most this old, so a report taken
 * within 10 s of the last one (repeated `vm status`, `--watch`) waits for no sample at all, and its
 * CPU figure covers the whole time in between, as `top` and `docker stats` do between refreshes.
 */
export const CPU_REUSE_CS = 1000
/** Bumped when the report's meaning changes, so old cache files are ignored. */
const CACHE_VERSION = 2

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits
const mb = (kb: number | null) => (kb === null ? null : round(kb / 1024, 1))
const gb = (kb: number | null) => (kb === null ? null : round(kb / 1024 / 1024, 2))

const service = (
  probe: ServiceProbe,
  isRunning: boolean | null,
  detail: string | null,
  error: string | null
): ServiceStatus => ({ name: probe.name, isRunning, port: probe.port ?? null, hostPort: probe.hostPort, detail, error })

/** Resources and services from the metrics script's answer (sizes converted to MB/GB). */
export const fromMetrics = (probes: ReadonlyArray<ServiceProbe>, m: GuestMetrics) => ({
  uptimeSeconds: m.uptimeSeconds,
  resources: {
    cpuPercent: m.cpuPercent,
    cpuWindowSeconds: m.cpuWindowCs === null ? null : m.cpuWindowCs / 100,
    cpuCount: m.cpuCount,
    memoryUsedMb: mb(m.memoryUsedKb),
    memoryLimitMb: mb(m.memoryLimitKb),
    diskUsedGb: gb(m.diskUsedKb),
    diskTotalGb: gb(m.diskTotalKb)
  },
  services: probes.map((probe, i) => {
    const answer = m.services[i]
    return answer !== undefined && answer.name === probe.name
      ? service(probe, answer.running, answer.detail, answer.error)
      : service(probe, null, null, "missing from the guest's answer")
  }),
  errors: m.errors
})

/**
 * `vm status` for Vagrant machines: the state from the cheapest source (see makeMachineStates),
 * then, for a running machine, everything from the guest in ONE ssh round trip over the
 * multiplexed connection: guest/metrics.sh on stdin. Each step is bounded: timeouts.status for the
 * host-side queries (state, `vagrant ssh-config` when not cached), timeouts.ssh for the round trip to
 * the guest; what fails becomes a line in `errors`, never a hang.
 * Reports of running machines are cached for status.cache_seconds, keyed by machine id, start time,
 * state and probed services, so a restart or a config change is never answered from the cache.
 */
export const VagrantStatusReporterLive = Layer.effect(
  StatusReporter,
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const ssh = yield* SshClient
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const { ctx, timeouts } = p
    const cacheMs = (ctx.global.status.cache_seconds ?? 5) * 1000
    const probes = serviceProbes(ctx.config, p.module.guestPortsAreHostPorts)
    const command = metricsCommand(probes, { container: p.module.guestIsContainer, sampleCs: CPU_SAMPLE_CS, reuseCs: CPU_REUSE_CS })
    const withPlatform = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem | Path.Path>) =>
      effect.pipe(Effect.provideService(FileSystem.FileSystem, fs), Effect.provideService(Path.Path, path))

    const collect = (instance: string): Effect.Effect<GuestMetrics, VmError> =>
      Effect.gen(function*() {
        // host side: Vagrant's ssh-config (cached per machine id; Ruby start-up when it is not)
        const target = yield* p.sshTarget(instance).pipe(
          Effect.timeoutFail({
            duration: timeouts.statusMs,
            onTimeout: () => new CommandTimeout({ command: ["vagrant", "ssh-config", instance], timeoutMs: timeouts.statusMs })
          })
        )
        const script = guestScript("metrics.sh")
        // guest side: one round trip, bounded as a whole
        const result = yield* ssh.exec(target, command, { output: "capture", stdin: script, timeoutMs: timeouts.sshMs }).pipe(
          // also bounds an SshClient that ignores timeoutMs
          Effect.timeoutFail({
            duration: timeouts.sshMs,
            onTimeout: () => new CommandTimeout({ command: ["ssh", instance], timeoutMs: timeouts.sshMs })
          }),
          Effect.catchTag("CommandTimeout", () =>
            // a master connection to a frozen sshd would make the next call wait as long again
            Effect.zipRight(
              ssh.disconnect(target),
              new SshFailed({
                machine: instance,
                reason: `no answer within ${round(timeouts.sshMs / 1000, 1)} s (is the guest or its sshd frozen?)`
              })
            ))
        )
        if (result.exitCode !== 0) {
          const why = tail(result.stderr || result.stdout, 3) || "no output"
          return yield* new SshFailed({ machine: instance, reason: `the metrics script exited with ${result.exitCode}: ${why}` })
        }
        return yield* decodeGuestMetrics(result.stdout)
      })

    const report = (instance: string, options: { readonly fresh?: boolean } = {}) =>
      Effect.gen(function*() {
        const r = yield* p.record(instance)
        const id = yield* p.machineId(r.machine)
        const now = () => new Date().toISOString()
        const base = {
          name: instance,
          machine: r.machine,
          provider: p.provider,
          machineId: Option.getOrNull(id),
          uptimeSeconds: null,
          resources: noResources,
          notices: [],
          stale: false
        }

        const states = yield* p.machineStates([{ machine: r.machine, id }]).pipe(
          Effect.timeoutFail({
            duration: timeouts.statusMs,
            onTimeout: () => new CommandTimeout({ command: [`state of ${r.machine}`], timeoutMs: timeouts.statusMs })
          }),
          Effect.either
        )
        if (Either.isLeft(states)) {
          return {
            ...base,
            state: "unknown",
            rawState: "unknown",
            isRunning: false,
            services: probes.map((s) => service(s, null, null, "not probed: the machine's state is unknown")),
            errors: [`state: ${states.left.message}`],
            collectedAt: now()
          } satisfies StatusReport
        }
        const row = states.right[0]!
        const state = normalizeState(row.provider, row.raw)
        const known = { ...base, provider: row.provider, state, rawState: row.raw, isRunning: state === "running" }
        if (state !== "running") {
          return { ...known, services: probes.map((s) => service(s, false, null, null)), errors: [], collectedAt: now() } satisfies StatusReport
        }

        const file = path.join(ctx.root, STATUS_CACHE_DIR, `${r.machine}.json`)
        const key = JSON.stringify([CACHE_VERSION, known.machineId, row.raw, row.since, command])
        if (options.fresh !== true && cacheMs > 0) {
          const cached = yield* withPlatform(readCachedReport(file, key, cacheMs, Date.now()))
          if (Option.isSome(cached)) return { ...cached.value, stale: true } satisfies StatusReport
        }

        const collectedAt = now()
        const metrics = yield* Effect.either(collect(instance))
        if (Either.isLeft(metrics)) {
          return {
            ...known,
            services: probes.map((s) => service(s, null, null, "not probed: no usable answer from the guest")),
            errors: [metrics.left.message],
            collectedAt
          } satisfies StatusReport
        }
        const fresh: StatusReport = { ...known, ...fromMetrics(probes, metrics.right), collectedAt }
        if (fresh.errors.length === 0 && cacheMs > 0) yield* withPlatform(writeCachedReport(file, key, fresh, Date.now()))
        return fresh
      })

    return StatusReporter.of({ report })
  })
)
