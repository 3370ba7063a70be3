import * as Schema from "effect/Schema"
import { printable } from "./printable.js"

export { printable }

/** Keeps error messages short: the last lines of a long stderr are what explains a failure. */
export const tail = (text: string, maxLines = 12): string => {
  const lines = text.trimEnd().split("\n")
  return lines.length <= maxLines ? lines.join("\n") : ["…", ...lines.slice(-maxLines)].join("\n")
}

export class ConfigNotFound extends Schema.TaggedError<ConfigNotFound>()("ConfigNotFound", {
  searchedFrom: Schema.String
}) {
  override get message() {
    return `no vm.yaml found in ${this.searchedFrom} or any parent directory (create one, or pass -c PATH)`
  }
}

export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  file: Schema.String,
  key: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    // one line whatever the file holds: a key or value may carry line breaks and escapes
    return this.key === ""
      ? `invalid config ${this.file}: ${printable(this.reason)}`
      : `invalid config ${this.file}: key '${printable(this.key)}': ${printable(this.reason)}`
  }
}


export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  what: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.what}: ${this.reason}`
  }
}

export class SshFailed extends Schema.TaggedError<SshFailed>()("SshFailed", {
  machine: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `ssh to '${this.machine}' failed: ${this.reason}`
  }
}

export class ParseFailed extends Schema.TaggedError<ParseFailed>()("ParseFailed", {
  what: Schema.String,
  input: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    const shown = this.input.length > 300 ? `${this.input.slice(0, 300)}…` : this.input
    return `could not parse ${this.what}: ${this.reason}\n  input: ${JSON.stringify(shown)}`
  }
}

export class ProviderUnsupported extends Schema.TaggedError<ProviderUnsupported>()("ProviderUnsupported", {
  provider: Schema.String,
  capability: Schema.String,
  hint: Schema.optional(Schema.String)
}) {
  override get message() {
    return `provider '${this.provider}' does not support ${this.capability}${this.hint ? ` (${this.hint})` : ""}`
  }
}

export class CommandFailed extends Schema.TaggedError<CommandFailed>()("CommandFailed", {
  command: Schema.Array(Schema.String),
  exitCode: Schema.Number,
  stderrTail: Schema.String,
  /** What to do about it, when the output says the host (not the command) is the problem. */
  hint: Schema.optional(Schema.String)
}) {
  override get message() {
    const detail = this.stderrTail.trim() === "" ? "" : `:\n${this.stderrTail}`
    return `\`${this.command.join(" ")}\` exited with code ${this.exitCode}${detail}${this.hint ? `\n${this.hint}` : ""}`
  }
}

/** Where an error caused by the host (a missing tool, a daemon not answering) sends the user. */
export const DOCTOR_HINT = "`vm doctor` checks what vm needs on this host and how to fix it"

export class CommandTimeout extends Schema.TaggedError<CommandTimeout>()("CommandTimeout", {
  command: Schema.Array(Schema.String),
  timeoutMs: Schema.Number
}) {
  override get message() {
    return `\`${this.command.join(" ")}\` did not finish within ${Math.round(this.timeoutMs / 100) / 10} s and was stopped`
  }
}

export class ToolNotInstalled extends Schema.TaggedError<ToolNotInstalled>()("ToolNotInstalled", {
  tool: Schema.String,
  hint: Schema.String
}) {
  override get message() {
    return `'${this.tool}' is not installed or not on PATH (${this.hint}); ${DOCTOR_HINT}`
  }
}

export class VagrantNotInstalled extends Schema.TaggedError<VagrantNotInstalled>()("VagrantNotInstalled", {}) {
  override get message() {
    return `Vagrant is not installed or not on PATH (Debian/Ubuntu: sudo apt-get install --no-install-recommends vagrant); ${DOCTOR_HINT}`
  }
}

export class VmNotFound extends Schema.TaggedError<VmNotFound>()("VmNotFound", {
  name: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message() {
    const known = this.known.length === 0 ? "no machines exist yet (run `vm create`)" : `known: ${this.known.join(", ")}`
    return `no machine named '${this.name}' (${known})`
  }
}

export class AmbiguousInstance extends Schema.TaggedError<AmbiguousInstance>()("AmbiguousInstance", {
  query: Schema.String,
  candidates: Schema.Array(Schema.String)
}) {
  override get message() {
    return `'${this.query}' matches several machines: ${this.candidates.join(", ")}; give more of the name`
  }
}

export class VmNotRunning extends Schema.TaggedError<VmNotRunning>()("VmNotRunning", {
  name: Schema.String,
  state: Schema.String
}) {
  override get message() {
    return `machine '${this.name}' is not running (state: ${this.state}); start it with \`vm start ${this.name}\``
  }
}

export class StateFileError extends Schema.TaggedError<StateFileError>()("StateFileError", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `state file ${this.path}: ${this.reason}`
  }
}

export class Cancelled extends Schema.TaggedError<Cancelled>()("Cancelled", {
  reason: Schema.String
}) {
  override get message() {
    return this.reason
  }
}

export class KillFailed extends Schema.TaggedError<KillFailed>()("KillFailed", {
  name: Schema.String,
  provider: Schema.String,
  /** What each step did, e.g. "docker kill: timed out after 1.5 s". */
  tried: Schema.Array(Schema.String)
}) {
  override get message() {
    return `could not power off '${this.name}' (${this.provider}): ${this.tried.join("; ")}. ` +
      `Check that the hypervisor itself responds; \`vm destroy --force\` removes the machine instead`
  }
}

export class TempVmNotFound extends Schema.TaggedError<TempVmNotFound>()("TempVmNotFound", {
  /** What the user asked for; "" when no name was given. */
  query: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message() {
    if (this.query === "" && this.known.length > 1) {
      return `several temp VMs exist (${this.known.join(", ")}); pick one with --name`
    }
    const known = this.known.length === 0 ? "none exist; create one with `vm temp create`" : `temp VMs: ${this.known.join(", ")}`
    return this.query === "" ? `no temp VM exists (create one with \`vm temp create\`)` : `no temp VM named '${this.query}' (${known})`
  }
}

/** No host process matches (the VM's process is already gone, or was never there). */
export class ProcessNotFound extends Schema.TaggedError<ProcessNotFound>()("ProcessNotFound", {
  description: Schema.String
}) {
  override get message() {
    return `no running process found: ${this.description}`
  }
}

/** Every domain error a `vm` operation can fail with; each has a readable `message` naming the problem. */
export type VmError =
  | ConfigNotFound
  | ConfigInvalid
  | InvalidInput
  | SshFailed
  | ParseFailed
  | ProviderUnsupported
  | CommandFailed
  | CommandTimeout
  | ToolNotInstalled
  | VagrantNotInstalled
  | VmNotFound
  | AmbiguousInstance
  | VmNotRunning
  | StateFileError
  | Cancelled
  | KillFailed
  | ProcessNotFound
  | TempVmNotFound
