import type { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { decodeProjectConfig } from "@vm/core/config/decode"
import { emptyGlobalConfig, type GlobalConfig } from "@vm/core/config/schema"
import type { ProcessRunner } from "@vm/core/process/ProcessRunner"
import { Progress } from "@vm/core/Progress"
import type { ProjectContextShape } from "@vm/core/ProjectContext"
import { Either, Layer } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { HostUser } from "../src/hypervisors/HostTools.js"
import { providerOverFakes } from "../src/testing/FakeVagrantProvider.js"
import type { SshClient } from "../src/SshClient.js"
import type { VagrantRunner } from "../src/VagrantRunner.js"

/** A temp project whose "guest workspace" is a local directory (the fake ssh runs commands locally). */
export const makeTempProject = (yaml: (workspace: string) => string, global: GlobalConfig = emptyGlobalConfig) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-unit-"))
  const root = Path.join(dir, "project")
  const workspace = Path.join(dir, "workspace")
  Fs.mkdirSync(root)
  Fs.mkdirSync(workspace)
  const text = yaml(workspace)
  Fs.writeFileSync(Path.join(root, "vm.yaml"), text)
  const config = Either.getOrThrow(decodeProjectConfig(text, Path.join(root, "vm.yaml")))
  const ctx: ProjectContextShape = { root, configFile: Path.join(root, "vm.yaml"), config, global, home: Path.join(dir, "home") }
  return { dir, root, workspace, ctx, cleanup: () => Fs.rmSync(dir, { recursive: true, force: true }) }
}

/** The real Vagrant provider over the given fake tool layers (optionally a fake filesystem or a recording Progress). */
export const providerWithFakes = (
  ctx: ProjectContextShape,
  fakes: Layer.Layer<VagrantRunner | SshClient, never, ProcessRunner>,
  options: {
    readonly progress?: Layer.Layer<Progress>
    readonly fileSystem?: Layer.Layer<FileSystem.FileSystem>
    /** The user vm runs as (default: the fake host's 1000:1000). */
    readonly hostUser?: HostUser | null
  } = {}
) =>
  providerOverFakes(ctx, fakes, {
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.hostUser === undefined ? {} : { hostUser: options.hostUser })
  }).pipe(
    Layer.provideMerge(options.fileSystem ? Layer.merge(NodeContext.layer, options.fileSystem) : NodeContext.layer)
  )
