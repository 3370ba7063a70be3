/**
 * Typed helpers over the vm CLI's JSON output, plus assertion helpers that put the full
 * command output into the failure message.
 */
import { createHash } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { expect } from "vitest"
import { formatResult, type RunResult, type Sandbox } from "./sandbox.js"

export type MachineState = "running" | "stopped" | "suspended" | "transitional" | "broken" | "missing" | "unknown"

/** One element of `vm list --json`. */
export interface ListEntry {
  readonly name: string
  readonly machine: string
  readonly provider: string
  readonly state: MachineState
  readonly rawState: string
  readonly id: string | null
}

/** `vm status [NAME] --json` (at least these fields). */
export interface StatusJson {
  readonly name: string
  readonly provider: string
  readonly state: MachineState
  readonly rawState: string
  readonly isRunning: boolean
  readonly [extra: string]: unknown
}

/** Assert the exit status; the message shows the command with its stdout/stderr. */
export function expectExit(r: RunResult, code: number): void {
  expect(r.exitCode, formatResult(r)).toBe(code)
}

/** Assert success (exit 0). */
export function expectOk(r: RunResult): void {
  expectExit(r, 0)
}

/** Parse stdout as JSON (exit 0 required); failure messages carry the whole output. */
export function parseJson<T>(r: RunResult): T {
  expectOk(r)
  try {
    return JSON.parse(r.stdout) as T
  } catch (e) {
    throw new Error(`stdout is not JSON (${String(e)})\n${formatResult(r)}`)
  }
}

export async function listJson(sb: Sandbox): Promise<ReadonlyArray<ListEntry>> {
  const r = await sb.runVm(["list", "--json"])
  const v = parseJson<ReadonlyArray<ListEntry>>(r)
  expect(Array.isArray(v), formatResult(r)).toBe(true)
  return v
}

export async function statusJson(sb: Sandbox, name?: string): Promise<StatusJson> {
  return parseJson<StatusJson>(await sb.runVm(name === undefined ? ["status", "--json"] : ["status", name, "--json"]))
}

/** The list entry for an instance, or undefined when absent. */
export async function listEntry(sb: Sandbox, name: string): Promise<ListEntry | undefined> {
  return (await listJson(sb)).find((e) => e.name === name)
}

/** sha256 of every regular file under the given paths (files or dirs), keyed by path relative to `base`. */
export async function hashTree(base: string, paths: ReadonlyArray<string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const visit = async (abs: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(abs, { withFileTypes: true })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOTDIR") {
        out[relative(base, abs)] = createHash("sha256").update(await readFile(abs)).digest("hex")
        return
      }
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        out[relative(base, abs)] = "<missing>"
        return
      }
      throw e
    }
    out[`${relative(base, abs)}/`] = "<dir>"
    for (const entry of entries) await visit(join(abs, entry.name))
  }
  for (const p of paths) await visit(join(base, p))
  return out
}

/** `vm kill --json` output (the KillReport). */
export interface KillJson {
  readonly name: string
  readonly provider: string
  readonly machineId: string
  readonly step: string
  readonly stepsTried: ReadonlyArray<{ step: string; command: string; outcome: string; durationMs: number; error?: string }>
  readonly durationMs: number
  readonly warnings: ReadonlyArray<string>
}
