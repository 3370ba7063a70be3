import { VBOX_SHOWVMINFO_UNKNOWN_UUID_V5 } from "./fixtures/vboxmanage.js"
import type { CliRun } from "./fixtures/types.js"

/**
 * How VBoxManage prints a string value with `--machinereadable`: in double quotes, with `"` and `\`
 * escaped by a backslash and nothing else (VBoxManageInfo.cpp, outputMachineReadableStringWorker;
 * see fixtures/vboxmanage.ts). The inverse of the reader in hypervisors/vboxInfo.ts.
 */
export const vboxString = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** VBoxManage's answer (stderr, exit 1) for a uuid VirtualBox has no machine for: the recorded one, for this uuid. */
export const vboxNotFound = (uuid: string): string => withId(VBOX_SHOWVMINFO_UNKNOWN_UUID_V5, uuid).stderr

/** A recorded run with its id (the last argv element) replaced by `id` everywhere. */
export const withId = (fixture: CliRun, id: string): CliRun => {
  const recorded = fixture.argv.at(-1) === "--machinereadable" || fixture.argv.at(-1) === "hard"
    ? fixture.argv.at(-2)!
    : fixture.argv.at(-1)!
  const swap = (s: string) => s.replaceAll(recorded, id)
  return { argv: fixture.argv.map(swap), stdout: swap(fixture.stdout), stderr: swap(fixture.stderr), exitCode: fixture.exitCode }
}
