import { type ConfigInvalid, type ConfigNotFound, Progress, ProjectContext, type ProjectContextShape } from "@vm/core"
import { type ProcessRunner, ProcessRunnerLive } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { HostUser } from "../hypervisors/HostTools.js"
import { VagrantProviderLayer } from "../layers.js"
import { PortAllocatorTest } from "../PortAllocator.js"
import type { SshClient } from "../SshClient.js"
import type { VagrantRunner } from "../VagrantRunner.js"
import { type Capabilities, loadContext, type PlatformServices, type ProgressOption, type ProjectOptions } from "../VagrantProvider.js"
import { makeFakeHypervisors } from "./FakeHypervisors.js"
import { makeFakeVagrant } from "./FakeVagrant.js"

/** One simulated world: its machines' states, every call it received, and hooks to make tools hang or fail. */
export type FakeVagrantWorld = Effect.Effect.Success<typeof makeFakeVagrant>

/** The simulated world behind {@link layer}, for assertions on what a program did (`calls`, `states`, `sshLog`). */
export class FakeVagrant extends Context.Tag("@vm/vagrant/testing/FakeVagrant")<FakeVagrant, FakeVagrantWorld>() {}

/**
 * The real Vagrant provider code over fake tools: `fakes` answer Vagrant and ssh, every hypervisor CLI
 * not among them dies when called, ports come from a counter. The fake ssh runs guest commands with the
 * local `sh` (a project's `workspace_path` should be a local directory), hence the platform services.
 */
export const providerOverFakes = (
  context: ProjectContextShape,
  fakes: Layer.Layer<VagrantRunner | SshClient, never, ProcessRunner>,
  /** hostUser: the user vm runs as (default: the fake host's 1000:1000; null: a host without uids). */
  options: ProgressOption & { readonly hostUser?: HostUser | null } = {}
) =>
  VagrantProviderLayer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(Layer.succeed(ProjectContext, context), options.progress ?? Progress.silent, PortAllocatorTest, fakes)
    ),
    Layer.provideMerge(Layer.unwrapEffect(
      Effect.map(makeFakeHypervisors(options.hostUser === undefined ? {} : { hostUser: options.hostUser }), (h) => h.layer)
    )),
    Layer.provideMerge(ProcessRunnerLive)
  )

/**
 * What `VagrantProvider.layerFromContext` supplies, over a new simulated Vagrant ({@link FakeVagrant} in the
 * output): for testing a program without Vagrant, a hypervisor or a network. Machines start as not created.
 */
export const layerFromContext = (
  context: ProjectContextShape,
  options: ProgressOption = {}
): Layer.Layer<Capabilities | FakeVagrant, never, PlatformServices> =>
  Layer.unwrapEffect(
    Effect.map(makeFakeVagrant, (world) =>
      providerOverFakes(context, world.layer, options).pipe(Layer.merge(Layer.succeed(FakeVagrant, world))))
  )

/** What `VagrantProvider.layer` supplies for the project at `root`, over a new simulated Vagrant. */
export const layer = (
  options: ProjectOptions = {}
): Layer.Layer<Capabilities | FakeVagrant, ConfigNotFound | ConfigInvalid, PlatformServices> =>
  Layer.unwrapEffect(Effect.map(loadContext(options), (context) => layerFromContext(context, options)))
