import { CommandFailed, type CommandTimeout, VagrantNotInstalled } from "@vm/core"
import { ProcessRunner, type RunResult } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** The generated Vagrantfile's name, next to (never replacing) a user's own Vagrantfile. */
export const VAGRANTFILE_NAME = "Vagrantfile.vmtool"
/** Vagrant's data directory for our machines, relative to the project root: keeps the user's .vagrant untouched. */
export const DOTFILE_PATH = ".vm/vagrant"

export interface VagrantCall {
  /** Project root: holds Vagrantfile.vmtool. */
  readonly cwd: string
  readonly timeoutMs: number
  /** Provider used for machines that do not exist yet. */
  readonly provider?: string
  /** Each output line as it arrives, for progress display. */
  readonly onLine?: (line: string) => Effect.Effect<void>
  /** Fail on a non-zero exit (default true). */
  readonly check?: boolean
  /**
   * Load Vagrant's plugins (default true). False sets VAGRANT_NO_PLUGINS: Ruby starts about 60 ms
   * sooner, for calls on a provider built into Vagrant that must not run plugin hooks anyway.
   */
  readonly plugins?: boolean
}

export type VagrantError = CommandFailed | CommandTimeout | VagrantNotInstalled

export interface VagrantRunnerShape {
  readonly run: (args: ReadonlyArray<string>, call: VagrantCall) => Effect.Effect<RunResult, VagrantError>
}

/** The only code that runs `vagrant`. */
export class VagrantRunner extends Context.Tag("@vm/vagrant/VagrantRunner")<VagrantRunner, VagrantRunnerShape>() {}

export const vagrantEnv = (call: Pick<VagrantCall, "provider" | "cwd" | "plugins">): Record<string, string> => ({
  VAGRANT_VAGRANTFILE: VAGRANTFILE_NAME,
  VAGRANT_DOTFILE_PATH: DOTFILE_PATH,
  VAGRANT_CHECKPOINT_DISABLE: "1",
  VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
  VAGRANT_NO_COLOR: "1",
  // an inherited VAGRANT_CWD would make Vagrant look somewhere else than `cwd`
  VAGRANT_CWD: call.cwd,
  ...(call.provider ? { VAGRANT_DEFAULT_PROVIDER: call.provider } : {}),
  ...(call.plugins === false ? { VAGRANT_NO_PLUGINS: "1" } : {})
})

export const VagrantRunnerLive = Layer.effect(
  VagrantRunner,
  Effect.gen(function*() {
    const processes = yield* ProcessRunner
    return VagrantRunner.of({
      run: (args, call) =>
        processes.run("vagrant", args, {
          cwd: call.cwd,
          env: vagrantEnv(call),
          timeoutMs: call.timeoutMs,
          ...(call.onLine ? { onLine: (line: string) => call.onLine!(line) } : {}),
          ...(call.check === undefined ? {} : { check: call.check })
        }).pipe(
          Effect.catchTag("ToolNotInstalled", () => Effect.fail(new VagrantNotInstalled())),
          // Vagrant writes its errors to stdout in machine-readable mode; keep the readable part.
          Effect.mapError((e) =>
            e._tag === "CommandFailed" ? new CommandFailed({ ...e, stderrTail: cleanVagrantError(e.stderrTail) }) : e
          )
        )
    })
  })
)

/** Extracts the human message from machine-readable `error-exit` lines, else returns the text. */
export const cleanVagrantError = (text: string): string => {
  const match = /^\d+,[^,]*,error-exit,[^,]*,(.*)$/m.exec(text)
  if (!match) return text
  return match[1]!.replace(/%!\(VAGRANT_COMMA\)/g, ",").replace(/\\n/g, "\n").replace(/\\r/g, "").trim()
}
