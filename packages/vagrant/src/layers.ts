import { ProcessRunnerLive } from "@vm/core/process/ProcessRunner"
import { Layer } from "effect"
import { DockerCliLive } from "./hypervisors/DockerCli.js"
import { VBoxManageLive } from "./hypervisors/VBoxManage.js"
import { PortAllocatorLive } from "./PortAllocator.js"
import { SshClientLive } from "./SshClient.js"
import { VagrantStatusReporterLive } from "./status/VagrantStatusReporter.js"
import { VagrantLifecycleLive, VagrantProjectLive } from "./VagrantProvider.js"
import { VagrantRunnerLive } from "./VagrantRunner.js"

/** Every external tool the Vagrant provider uses, over the one process runner. */
export const ToolsLive = Layer.mergeAll(VagrantRunnerLive, SshClientLive, DockerCliLive, VBoxManageLive, PortAllocatorLive).pipe(
  Layer.provideMerge(ProcessRunnerLive)
)

/** The provider for one project: needs ProjectContext, Progress, FileSystem, Path and the tools. */
export const VagrantProviderLayer = Layer.merge(VagrantLifecycleLive, VagrantStatusReporterLive).pipe(
  Layer.provideMerge(VagrantProjectLive)
)
