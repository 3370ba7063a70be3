/**
 * `@vm/core/provider`: building blocks for provider packages such as `@vm/vagrant` (the one helper that
 * runs external processes, atomic and locked state files, temp-VM mount rules). Programs that only use
 * VMs need `@vm/core`; this entry point is public for provider authors and follows semver like it.
 *
 * @packageDocumentation
 */

export * from "./process/ProcessRunner.js"
export * from "./state/atomicFile.js"
export { withGlobalDefaults } from "./config/effective.js"
export { DOCTOR_HINT, tail } from "./errors.js"
export * from "./temp/mountRules.js"
export * from "./temp/names.js"
export * from "./temp/resolveMounts.js"
export { diffMounts, sameMounts } from "./temp/TempVmRecord.js"
