import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import {
  Cancelled,
  ForceKill,
  KILL_BUDGET_MS,
  KillFailed,
  type KillOptions,
  type KillReport,
  Progress,
  ProviderUnsupported,
  type VmError,
  VmNotRunning
} from "@vm/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { HostProcesses } from "../hypervisors/HostProcesses.js"
import { parseStatus } from "../machineReadable.js"
import { VagrantProjectTag } from "../project/VagrantProject.js"
import type { HardStop } from "../providers/Provider.js"
import { isOff, isSavedState, needsVagrantPlugin, providerModule } from "../providers/registry.js"
import { detectMachine } from "./detectMachine.js"
import { bounded, describeError, type LadderResult, pollOff, type Rung, runLadder } from "./ladder.js"
import { processKillRung } from "./processKill.js"

/** Budget shares (ms). Healthy `vagrant halt --force` costs ~1.3 s on the docker provider (Ruby start-up). */
export const KILL_TIMINGS = {
  initialQueryMs: 700,
  haltMs: 3000,
  hypervisorStopMs: 1500,
  hypervisorReserveMs: 1200,
  processKillMs: 500,
  processKillReserveMs: 600,
  /**
   * What the hard stop gains when the forced halt is skipped (libvirt): `virsh destroy` of a panicked
   * TCG guest took 2.05 s on a loaded 2-core host; the rest stays free for the process kill when virsh hangs.
   */
  skippedHaltToHardStopMs: 1500
} as const

/**
 * `vm kill` on Vagrant: `vagrant halt --force`, then the hypervisor's hard stop by the real id from the
 * machine's data directory, then the hypervisor's per-VM process; never `vagrant destroy`.
 */
export const VagrantForceKillLive = Layer.effect(
  ForceKill,
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const progress = yield* Progress
    const host = yield* HostProcesses

    const kill = (instance: string, options: KillOptions = {}) =>
      Effect.gen(function*() {
        const startedAt = yield* Clock.currentTimeMillis
        const deadline = startedAt + (options.budgetMs ?? KILL_BUDGET_MS)
        const r = yield* p.record(instance)
        const detected = yield* detectMachine(path.dirname(p.dataDir(r.machine))).pipe(
          Effect.provideService(FileSystem.FileSystem, fs),
          Effect.provideService(Path.Path, path)
        )
        if (Option.isNone(detected)) return yield* new VmNotRunning({ name: instance, state: "not created" })
        const { id, provider } = detected.value
        // the provider the machine really runs on (its data directory), whose module knows the hard stop
        const module = providerModule(provider)
        const hardStop = module?.hardStop
        const hard = hardStop === undefined ? Option.none<HardStop>() : Option.some(hardStop(p.env, id))
        // a forced halt that only asks the guest cannot stop a hung one: straight to the hard stop, with its time
        const skipHalt = module?.forcedHaltOnlyAsksGuest === true && Option.isSome(hard)
        const warnings: Array<string> = []
        const finish = (step: KillReport["step"], stepsTried: KillReport["stepsTried"]) =>
          Effect.map(Clock.currentTimeMillis, (now): KillReport => ({
            name: instance,
            provider,
            machineId: id,
            step,
            stepsTried,
            durationMs: now - startedAt,
            warnings
          }))

        // One cheap look at the hypervisor: an off machine needs nothing, a saved one loses its saved memory.
        const look = Option.map(hard, (h) =>
          Effect.either(bounded(h.query(KILL_TIMINGS.initialQueryMs), KILL_TIMINGS.initialQueryMs, ["state query"])))
        let before: string | undefined
        /** What the look found; false when the machine is off already (nothing to kill). */
        const noteLook = (state: Either.Either<string, VmError>): boolean => {
          if (Either.isLeft(state)) {
            warnings.push(
              `could not read the machine's state first (${describeError(state.left)}); ` +
                "if it was saved or suspended, that saved memory state is discarded"
            )
            return true
          }
          before = state.right
          if (isOff(provider, before)) return false
          if (isSavedState(provider, before)) {
            warnings.push(`'${instance}' was ${before}: its saved memory state is discarded (the disk is kept)`)
          }
          return true
        }
        const confirmOff = Option.getOrUndefined(
          Option.map(hard, (h) => (windowMs: number) => pollOff(h.query, (raw) => isOff(provider, raw), windowMs))
        )
        const ladder = { onStep: (rung: Rung) => progress.detail(rung.command), confirmOff }
        const hypervisor = () => hypervisorRungs(provider, hard, before, skipHalt ? KILL_TIMINGS.skippedHaltToHardStopMs : 0)

        let result: LadderResult
        if (Option.isNone(look) || skipHalt) {
          // the hard stop acts on the state the look found: look first
          if (Option.isSome(look) && !noteLook(yield* look.value)) return yield* finish("already-off", [])
          yield* p.ensureVagrantfile.pipe(Effect.ignore)
          result = yield* runLadder([...(skipHalt ? [] : [haltRung(r.machine, provider, hard)]), ...hypervisor()], deadline, ladder)
        } else {
          // The look runs alongside the forced halt, which needs only a Vagrantfile and spends its first
          // half second starting Ruby: the look (tens of ms) answers long before the halt touches the machine,
          // so an off look means the machine was off. The halt is then stopped, and awaited: no Vagrant is
          // left holding the machine's lock. The hard stop runs after the look (it acts on the state found).
          const looking = yield* Effect.fork(look.value)
          yield* p.ensureVagrantfile.pipe(Effect.ignore)
          const offAlready = yield* Deferred.make<void>()
          const hypervisorReserve = hypervisor().reduce((sum, rung) => sum + rung.reserveMs, 0)
          const halting = yield* Effect.fork(
            runLadder([haltRung(r.machine, provider, hard, Deferred.await(offAlready))], deadline, {
              ...ladder,
              reservedAfterMs: hypervisorReserve
            })
          )
          if (!noteLook(yield* Fiber.join(looking))) {
            yield* Deferred.succeed(offAlready, undefined)
            yield* Fiber.await(halting)
            return yield* finish("already-off", [])
          }
          const halted = yield* Fiber.join(halting)
          const rest = halted.stoppedBy === undefined ? yield* runLadder(hypervisor(), deadline, ladder) : { stoppedBy: undefined, steps: [] }
          result = { stoppedBy: halted.stoppedBy ?? rest.stoppedBy, steps: [...halted.steps, ...rest.steps] }
        }
        if (result.stoppedBy !== undefined) return yield* finish(result.stoppedBy, result.steps)
        const tried = result.steps.map((s) => `${s.command}: ${s.outcome}${s.error ? ` (${s.error})` : ""}`)
        if (Option.isNone(hard)) {
          return yield* new ProviderUnsupported({
            provider,
            capability: "force kill",
            hint: `tried ${tried.join("; ")}; no hard stop is known for this provider. ` +
              `Stop it with the provider's own tools, or \`vm destroy --force ${instance}\` to remove the machine`
          })
        }
        return yield* new KillFailed({ name: instance, provider, tried })
      }).pipe((effect) => progress.phase(`Killing ${instance}`, effect))

    /** Rung 1: Vagrant's own forced halt; it blocks on (or is refused by) the machine lock of a busy Vagrant. */
    const haltRung = (
      machine: string,
      provider: string,
      hard: Option.Option<HardStop>,
      /** Completes when the halt is not needed after all (the machine was off): the halt is then stopped. */
      unneeded: Effect.Effect<void> = Effect.never
    ): Rung => ({
      step: "vagrant-halt",
      command: `vagrant halt --force ${machine}`,
      capMs: KILL_TIMINGS.haltMs,
      reserveMs: 0,
      // without a hypervisor query only `vagrant status` (a Ruby start-up) can tell: give it the rest
      ...(Option.isNone(hard) ? { verifyCapMs: KILL_BUDGET_MS } : {}),
      run: (timeoutMs) =>
        Effect.raceFirst(
          // a provider built into Vagrant needs no plugin, and a power cut runs no plugin hooks: Ruby starts sooner
          p.vagrant(["halt", "--force", machine], timeoutMs, { plugins: needsVagrantPlugin(provider) }),
          Effect.zipRight(unneeded, new Cancelled({ reason: "not needed: the machine was off already" }))
        ),
      verify: (windowMs) =>
        Option.isSome(hard)
          ? pollOff(hard.value.query, (raw) => isOff(provider, raw), windowMs)
          : pollOff(
            (timeoutMs) =>
              p.vagrant(["status", machine, "--machine-readable"], timeoutMs).pipe(
                Effect.flatMap(parseStatus),
                Effect.map((rows) => rows.find((row) => row.machine === machine)?.state ?? "unknown")
              ),
            (raw) => isOff(provider, raw),
            windowMs
          )
    })

    /** Rungs 2 and 3: the hypervisor's hard stop, then its per-VM process. */
    const hypervisorRungs = (
      provider: string,
      hard: Option.Option<HardStop>,
      before: string | undefined,
      extraMs: number
    ): ReadonlyArray<Rung> => {
      if (Option.isNone(hard)) return []
      const stop = hard.value
      const process = stop.process
      const hypervisor: Rung = {
        step: "hypervisor-stop",
        command: stop.command(before),
        capMs: KILL_TIMINGS.hypervisorStopMs + extraMs,
        reserveMs: KILL_TIMINGS.hypervisorReserveMs,
        run: (timeoutMs) => stop.stop(timeoutMs, before),
        verify: (windowMs) => pollOff(stop.query, (raw) => isOff(provider, raw), windowMs)
      }
      return process === undefined
        ? [hypervisor]
        : [hypervisor, processKillRung(host, process, KILL_TIMINGS.processKillMs, KILL_TIMINGS.processKillReserveMs)]
    }

    return ForceKill.of({ kill })
  })
)
