/**
 * `@vm/vagrant/testing`: test your program against a simulated Vagrant instead of real machines.
 * `FakeVagrantProvider.layer({ root })` supplies what `VagrantProvider.layer({ root })` does, running the
 * same provider code over fake tools that answer as the real ones do (recorded output); the
 * {@link FakeVagrant} service in its output is the simulated world, for assertions.
 * The contract suites every provider passes are in `@vm/core/testing`.
 *
 * @packageDocumentation
 */

export * as FakeVagrantProvider from "./testing/FakeVagrantProvider.js"
export { FakeVagrant, type FakeVagrantWorld } from "./testing/FakeVagrantProvider.js"
export { type FakeCall, makeFakeVagrant } from "./testing/FakeVagrant.js"
