import { CommandFailed, type CommandTimeout, type ToolNotInstalled } from "@vm/core/errors"
import { ProcessRunner, type RunResult } from "@vm/core/process/ProcessRunner"
import { Context, Effect, Layer, Ref } from "effect"

export interface VBoxManageShape {
  /** Runs `VBoxManage <args>` and captures its output; a non-zero exit is a result unless `check`. */
  readonly run: (
    args: ReadonlyArray<string>,
    options: { readonly timeoutMs: number; readonly check?: boolean }
  ) => Effect.Effect<RunResult, CommandFailed | CommandTimeout | ToolNotInstalled>
}

/** VirtualBox's CLI: the hypervisor's own state query costs ~0.05 s, `vagrant status` ~1 s. */
export class VBoxManage extends Context.Tag("@vm/vagrant/VBoxManage")<VBoxManage, VBoxManageShape>() {}

export const VBoxManageLive = Layer.effect(
  VBoxManage,
  Effect.map(ProcessRunner, (processes) =>
    VBoxManage.of({
      run: (args, options) =>
        processes.run("VBoxManage", args, {
          timeoutMs: options.timeoutMs,
          ...(options.check === undefined ? {} : { check: options.check }),
          installHint: "install VirtualBox from virtualbox.org"
        })
    }))
)

/**
 * `showvminfo --machinereadable` lines: `key="value"`, `key=value` or `"quoted key"="value"`.
 * VirtualBox writes values with `"` and `\` unescaped, so only the outer quotes are stripped.
 */
export const parseVBoxInfo = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "")
    const eq = line.startsWith('"') ? line.indexOf('"=', 1) + 1 : line.indexOf("=")
    if (eq <= 0) continue
    const unquote = (s: string) => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s)
    out[unquote(line.slice(0, eq))] = unquote(line.slice(eq + 1))
  }
  return out
}

/** VBoxManage's message for a uuid it does not know (the VM was deleted outside Vagrant). */
export const VBOX_NOT_FOUND = /Could not find a registered machine/i

/**
 * A fake VirtualBox for tests: `showvminfo <uuid> --machinereadable` answers from `machines`
 * (uuid → info keys), an unknown uuid fails like VBoxManage does; every call is recorded.
 */
export const VBoxManageTest = (machines: ReadonlyMap<string, Readonly<Record<string, string>>>) =>
  Layer.effect(
    VBoxManage,
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<ReadonlyArray<string>>>([])
      const run: VBoxManageShape["run"] = (args, options) =>
        Effect.gen(function*() {
          yield* Ref.update(calls, (all) => [...all, args])
          const [verb, uuid, flag] = args
          if (verb !== "showvminfo" || flag !== "--machinereadable" || uuid === undefined) {
            return yield* Effect.dieMessage(`VBoxManageTest: unscripted call: VBoxManage ${args.join(" ")}`)
          }
          const info = machines.get(uuid)
          const result: RunResult = info === undefined
            ? {
              exitCode: 1,
              stdout: "",
              stderr: `VBoxManage: error: Could not find a registered machine with UUID {${uuid}}\n`,
              durationMs: 1
            }
            : {
              exitCode: 0,
              stdout: Object.entries(info).map(([k, v]) => `${k}="${v}"`).join("\n") + "\n",
              stderr: "",
              durationMs: 1
            }
          if (result.exitCode !== 0 && options.check !== false) {
            return yield* new CommandFailed({ command: ["VBoxManage", ...args], exitCode: 1, stderrTail: result.stderr })
          }
          return result
        })
      return Object.assign(VBoxManage.of({ run }), { calls: Ref.get(calls) })
    })
  )
