import { ParseFailed } from "@vm/core"
import * as Effect from "effect/Effect"

/**
 * `VBoxManage showvminfo <uuid> --machinereadable`, read once for every user (state queries,
 * vm kill, live shared folders). Lines are `key=value`, `key="value"` or `"key"="value"`.
 * VirtualBox quotes strings and escapes exactly `"` and `\` with a backslash
 * (VBoxManageInfo.cpp, outputMachineReadableStringWorker; see testing/fixtures/vboxmanage.ts):
 * `C:\new` is printed `"C:\\new"`. Nothing else is escaped, so `\n` in a value is a backslash and an n.
 * A few lines are printed raw with plain RTPrintf (RAW_KEYS): their quotes are only stripped.
 */
export const parseVBoxInfo = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""))
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const key = line.startsWith('"') ? readQuoted(line, 0) : undefined
    const eq = key !== undefined ? key.end : line.indexOf("=")
    if (eq <= 0 || line[eq] !== "=") continue
    const name = key !== undefined ? key.value : line.slice(0, eq)
    let rest = line.slice(eq + 1)
    if (RAW_KEYS.test(name) || !rest.startsWith('"')) {
      out[name] = rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"') ? rest.slice(1, -1) : rest
      continue
    }
    // a newline inside a value is printed as is: the value goes on until its closing quote
    let value = readQuoted(rest, 0)
    while (value === undefined && i + 1 < lines.length) {
      rest += "\n" + lines[++i]
      value = readQuoted(rest, 0)
    }
    out[name] = value !== undefined && value.end === rest.length ? value.value : rest
  }
  return out
}

/**
 * Keys VBoxManage prints with plain RTPrintf, unescaped (VBoxManageInfo.cpp): `VMStateFile="C:\Users\…"`
 * has single backslashes on the same output where CfgFile has them doubled (fixtures/vboxmanage.ts).
 */
const RAW_KEYS = /^(VMState|VMStateChangeTime|VMStateFile|vrdeproperty\[.*\]|(Current)?Snapshot(Name|Description|UUID)[-\d]*)$/

/** The quoted string starting at `at` (a `"`), unescaped; `end` is the index after the closing quote. */
const readQuoted = (s: string, at: number): { readonly value: string; readonly end: number } | undefined => {
  let value = ""
  for (let i = at + 1; i < s.length; i++) {
    const c = s[i]!
    if (c === "\\" && (s[i + 1] === '"' || s[i + 1] === "\\")) {
      value += s[i + 1]
      i++
    } else if (c === '"') {
      return { value, end: i + 1 }
    } else {
      value += c
    }
  }
  return undefined
}

/** VBoxManage's message for a uuid it does not know (the VM was deleted outside Vagrant). */
export const VBOX_NOT_FOUND = /Could not find a registered machine/i

export interface SharedFolderInfo {
  readonly name: string
  readonly hostPath: string
  /** Added with --transient (gone when the VM powers off). */
  readonly transient: boolean
}

export interface VBoxVmInfo {
  readonly values: Readonly<Record<string, string>>
  /** `VMState`; `inaccessible` when VirtualBox cannot read the VM's files (as Vagrant's driver says). */
  readonly state: string
  readonly stateChangedAt: string | null
  readonly sharedFolders: ReadonlyArray<SharedFolderInfo>
}

/** Shared folders from the parsed values: `SharedFolder{Name,Path}{Machine,Transient}Mapping<n>`. */
export const sharedFoldersOf = (values: Readonly<Record<string, string>>): ReadonlyArray<SharedFolderInfo> => {
  const slots = new Map<string, { name?: string; hostPath?: string; transient: boolean }>()
  for (const [key, value] of Object.entries(values)) {
    const m = /^SharedFolder(Name|Path)(Machine|Transient)Mapping(\d+)$/.exec(key)
    if (!m) continue
    const slotKey = `${m[2]}${m[3]}`
    const slot = slots.get(slotKey) ?? { transient: m[2] === "Transient" }
    if (m[1] === "Name") slot.name = value
    else slot.hostPath = value
    slots.set(slotKey, slot)
  }
  return [...slots.values()].flatMap((s) => s.name === undefined ? [] : [{ name: s.name, hostPath: s.hostPath ?? "", transient: s.transient }])
}

/** The reader over showvminfo's stdout: fails when the output has no VM state at all. */
export const readVBoxInfo = (stdout: string): Effect.Effect<VBoxVmInfo, ParseFailed> => {
  const values = parseVBoxInfo(stdout)
  const state = values["name"] === "<inaccessible>" ? "inaccessible" : values["VMState"]
  if (state === undefined) {
    return Effect.fail(new ParseFailed({ what: "VBoxManage showvminfo output", input: stdout, reason: "no VMState line" }))
  }
  return Effect.succeed({ values, state, stateChangedAt: values["VMStateChangeTime"] ?? null, sharedFolders: sharedFoldersOf(values) })
}
