/**
 * `@vm/core`: what a program needs to drive development VMs through any provider family.
 *
 * - the capabilities, as Effect services a provider layer supplies: {@link Lifecycle},
 *   {@link StatusReporter}, {@link ContextualLifecycle}, {@link ForceKill} (per project) and {@link TempVms};
 * - the project context they act on ({@link ProjectContext}) and the config schemas and loaders it is built from;
 * - the typed errors every operation fails with ({@link VmError}).
 *
 * A provider family ships the layers, e.g. `VagrantProvider.layer({ root })` from `@vm/vagrant`.
 * Everything exported here is semver-public; modules not exported are internal and cannot be imported.
 *
 * @packageDocumentation
 */

// the capabilities
export { type CreateOptions, type ExecOptions, Lifecycle, type LifecycleShape, type LogsOptions } from "./Lifecycle.js"
export {
  noResources,
  Resources,
  ServiceStatus,
  type StatusOptions,
  StatusReport,
  StatusReporter,
  type StatusReporterShape
} from "./StatusReport.js"
export {
  type AppliedConfig,
  type ApplyAction,
  type ConfigDrift,
  ContextualLifecycle,
  type ContextualLifecycleShape
} from "./ContextualLifecycle.js"
export {
  ForceKill,
  type ForceKillShape,
  KILL_BUDGET_MS,
  KillOutcome,
  type KillOptions,
  KillReport,
  KillStep,
  KillStepReport
} from "./ForceKill.js"
export {
  type CreateTempOptions,
  type ReuseTempOptions,
  type TempVmSummary,
  TempVms,
  type TempVmsShape,
  type UnmountSelection
} from "./TempVms.js"
export { Mount, TempVmRecord } from "./temp/TempVmRecord.js"
export { type ExecResult, MachineInfo, type OutputMode, VmState } from "./model.js"
export { DEFAULT_INSTANCE, resolveInstance, validateInstanceName } from "./instances.js"

// what they act on, and how they report progress
export { ProjectContext, type ProjectContextShape } from "./ProjectContext.js"
export { Progress, type ProgressShape } from "./Progress.js"

// configuration: schemas and loaders
export * from "./config/schema.js"
export { decodeGlobalConfig, decodeProjectConfig } from "./config/decode.js"
export {
  findProjectConfig,
  HomeDir,
  loadGlobalConfig,
  type LoadedGlobal,
  type LoadedProject,
  loadProjectConfig,
  PROJECT_CONFIG_FILE
} from "./config/load.js"
export { loadProjectContext, type ProjectContextSource } from "./config/projectContext.js"

// typed errors
export {
  AmbiguousInstance,
  Cancelled,
  CommandFailed,
  CommandTimeout,
  ConfigInvalid,
  ConfigNotFound,
  InvalidInput,
  KillFailed,
  ParseFailed,
  ProcessNotFound,
  ProviderUnsupported,
  SshFailed,
  StateFileError,
  TempVmNotFound,
  ToolNotInstalled,
  VagrantNotInstalled,
  type VmError,
  VmNotFound,
  VmNotRunning
} from "./errors.js"
