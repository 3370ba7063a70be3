/**
 * `@vm/core/testing`: the contract suites every provider layer must pass (vitest + `@effect/vitest`
 * suites; call one inside a test file with your layer), and the scripted fake of the process runner.
 * Fakes of a provider family ship with it, e.g. `@vm/vagrant/testing`.
 *
 * @packageDocumentation
 */

export * from "./testing/contextContract.js"
export * from "./testing/killContract.js"
export * from "./testing/lifecycleContract.js"
export * from "./testing/statusContract.js"
export * from "./testing/tempContract.js"
export { type FakeHandler, ProcessRunnerTest, type RecordedCall, recordedCalls } from "./process/ProcessRunner.js"
