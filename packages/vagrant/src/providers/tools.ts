import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import { DockerCli } from "../hypervisors/DockerCli.js"
import { HyperV } from "../hypervisors/HyperV.js"
import { Prlctl } from "../hypervisors/Prlctl.js"
import { VBoxManage } from "../hypervisors/VBoxManage.js"
import { Virsh } from "../hypervisors/Virsh.js"
import { Vmrun } from "../hypervisors/Vmrun.js"
import type { ProviderTools } from "./Provider.js"

/** The hypervisor drivers and the filesystem every provider module's effects run with. */
export const providerTools = Effect.gen(function*() {
  const tools: ProviderTools = {
    docker: yield* DockerCli,
    vbox: yield* VBoxManage,
    vmrun: yield* Vmrun,
    hyperv: yield* HyperV,
    virsh: yield* Virsh,
    prlctl: yield* Prlctl,
    fs: yield* FileSystem.FileSystem
  }
  return tools
})
