/**
 * `@vm/vagrant`: the Vagrant provider family (VirtualBox, VMware, Hyper-V, libvirt, Parallels and
 * Vagrant's docker provider) for the capabilities of `@vm/core`.
 *
 * ```ts
 * import { NodeContext } from "@effect/platform-node"
 * import { StatusReporter } from "@vm/core"
 * import { VagrantProvider } from "@vm/vagrant"
 *
 * const report = Effect.flatMap(StatusReporter, (status) => status.report("dev"))
 * report.pipe(Effect.provide(VagrantProvider.layer({ root: "/path/to/project" })), Effect.provide(NodeContext.layer))
 * ```
 *
 * Everything exported here is semver-public; fakes for tests are in `@vm/vagrant/testing`.
 *
 * @packageDocumentation
 */

export * as VagrantProvider from "./VagrantProvider.js"
export type { Capabilities, PlatformServices, ProgressOption, ProjectOptions, TempVmsOptions } from "./VagrantProvider.js"
