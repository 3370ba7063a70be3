import { ProcessRunnerLive } from "@vm/core/provider"
import * as Layer from "effect/Layer"
import { VagrantContextualLifecycleLive } from "./context/ContextualLifecycleLive.js"
import { DockerCliLive } from "./hypervisors/DockerCli.js"
import { HostDiskLive } from "./hypervisors/HostDisk.js"
import { HostProcessesLive } from "./hypervisors/HostProcesses.js"
import { HostToolsLive } from "./hypervisors/HostTools.js"
import { HyperVLive } from "./hypervisors/HyperV.js"
import { PrlctlLive } from "./hypervisors/Prlctl.js"
import { VBoxManageLive } from "./hypervisors/VBoxManage.js"
import { VirshLive } from "./hypervisors/Virsh.js"
import { VmrunLive } from "./hypervisors/Vmrun.js"
import { VagrantForceKillLive } from "./kill/VagrantForceKill.js"
import { PortAllocatorLive } from "./PortAllocator.js"
import { SshClientLive } from "./SshClient.js"
import { VagrantStatusReporterLive } from "./status/VagrantStatusReporter.js"
import { VagrantLifecycleLive } from "./lifecycle/VagrantLifecycle.js"
import { VagrantProjectLive } from "./project/VagrantProject.js"
import { VagrantRunnerLive } from "./VagrantRunner.js"

/** The hypervisor CLIs behind Vagrant's providers (hard stops by the machine's real id), over a ProcessRunner. */
export const HypervisorsLive = Layer.mergeAll(VBoxManageLive, VmrunLive, HyperVLive, VirshLive, PrlctlLive, HostProcessesLive, HostDiskLive).pipe(
  Layer.provideMerge(HostToolsLive)
)

/** Every external tool the Vagrant provider uses, over the one process runner. */
export const ToolsLive = Layer.mergeAll(VagrantRunnerLive, SshClientLive, DockerCliLive, PortAllocatorLive, HypervisorsLive).pipe(
  Layer.provideMerge(ProcessRunnerLive)
)

/** The provider for one project: needs ProjectContext, Progress, FileSystem, Path and the tools. */
export const VagrantProviderLayer = Layer.mergeAll(
  VagrantLifecycleLive,
  VagrantForceKillLive,
  VagrantContextualLifecycleLive,
  VagrantStatusReporterLive
).pipe(
  Layer.provideMerge(VagrantProjectLive)
)
