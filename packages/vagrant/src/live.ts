import { type Progress, ProjectContext, type ProjectContextShape } from "@vm/core"
import * as Layer from "effect/Layer"
import { ToolsLive, VagrantProviderLayer } from "./layers.js"
import { TempVmsLive } from "./temp/TempVmsLive.js"

/**
 * The provider for one project over the live tools. Its output also holds the internal services
 * (VagrantProject, the tools) the CLI uses; VagrantProvider.layerFromContext is the public view of it.
 */
export const liveProjectLayer = (context: ProjectContextShape, progress: Layer.Layer<Progress>) =>
  VagrantProviderLayer.pipe(Layer.provideMerge(Layer.mergeAll(Layer.succeed(ProjectContext, context), ToolsLive, progress)))

/** The user's temp VMs over the live tools (also in the output, for the CLI); VagrantProvider.tempVmsLayer is the public view. */
export const liveTempVmsLayer = (settings: Parameters<typeof TempVmsLive>[0], progress: Layer.Layer<Progress>) =>
  TempVmsLive(settings).pipe(Layer.provideMerge(Layer.mergeAll(ToolsLive, progress)))
