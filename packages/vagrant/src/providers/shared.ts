import { type CommandTimeout, type GlobalConfig, InvalidInput, type ProjectConfig, type VmError, type VmState } from "@vm/core"
import * as Effect from "effect/Effect"
import { UUID } from "../ids.js"
import { rubyString, rubyValue } from "../ruby.js"
import { resolveBox } from "../render/settings.js"
import type { RenderInput, RenderMachine } from "../render/types.js"
import type { PlanBase, ProviderModule } from "./Provider.js"

/** Raw ids that all mean "in between": one table entry each. */
export const transitional = (...ids: ReadonlyArray<string>): Readonly<Record<string, VmState>> =>
  Object.fromEntries(ids.map((id) => [id, "transitional" as const]))

export { UUID }

/** 32 hex digits as 8-4-4-4-12. */
export const hexToUuid = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`

export const uuidId: ProviderModule["machineId"] = {
  valid: (id) => UUID.test(id),
  expected: "a VM uuid",
  sample: (_machine, hex) => hexToUuid(hex)
}

/** `<v>.<key> = <value>` when the value is set. */
export const setting = (v: string, key: string, value: string | number | boolean | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : [`${v}.${key} = ${rubyValue(value)}`]

export const providerBlock = (provider: string, v: string, body: ReadonlyArray<string>): ReadonlyArray<string> => [
  `m.vm.provider :${provider} do |${v}|`,
  ...body.map((line) => `  ${line}`),
  "end"
]

/** Box-based machines: the box line. */
export const boxLines = (input: RenderInput, _machine: RenderMachine): ReadonlyArray<string> => [
  `m.vm.box = ${rubyString(resolveBox(input.config, input.global))}`
]

export const boxBase = (config: ProjectConfig, global: GlobalConfig): PlanBase => ({
  box: resolveBox(config, global),
  image: null,
  createArgs: []
})

/** Hypervisor guests read ro from the guest mount options; the type is the provider's default. */
export const hypervisorFolderOptions = (_config: ProjectConfig, readonly: boolean) => (readonly ? ", mount_options: ['ro']" : "")

/** Runs `f` with the id when it has the module's format, else an error naming the id file's problem. */
export const withValidId = <A>(module: Pick<ProviderModule, "name" | "machineId">, id: string, f: (id: string) => Effect.Effect<A, VmError>) =>
  module.machineId.valid(id)
    ? f(id)
    : Effect.fail(
      new InvalidInput({ what: `${module.name} machine id`, reason: `'${id}' is not ${module.machineId.expected}; is the id file corrupt?` })
    )

/** Short form of a long id for messages. */
export const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 12)}…` : id)

/** How box-based hypervisor machines render, besides their provider block. */
export const hypervisorRender = {
  ownsSshPort: () => false,
  preamble: () => [],
  knownDebianGuest: () => false,
  forwardsPorts: () => true,
  machineLines: boxLines,
  folderOptions: hypervisorFolderOptions
} as const satisfies Partial<ProviderModule["render"]>

/** What every box-based hypervisor provider shares; a module spreads it and adds its own. */
export const hypervisorDefaults = {
  guestIsContainer: false,
  guestPortsAreHostPorts: false,
  hardwareChange: "reload",
  base: boxBase
} as const satisfies Partial<ProviderModule>

/**
 * A state query that failed: a timeout is reported (asking Vagrant too would only double the wait);
 * any other failure (tool missing, unexpected answer) means "ask Vagrant instead" for these machines.
 */
export const askVagrantInstead = (queries: ReadonlyArray<unknown>) =>
(
  e: VmError
): Effect.Effect<ReadonlyArray<undefined>, CommandTimeout> =>
  e._tag === "CommandTimeout" ? Effect.fail(e) : Effect.succeed(queries.map(() => undefined))
