/**
 * Is this host able to run the real-Vagrant e2e suite?
 *
 * Usage in every e2e file (top-level await is fine: test files are ESM):
 *
 *   import { describe } from "vitest"
 *   import { realVagrantAvailable } from "./support/env.js"
 *
 *   const e2e = await realVagrantAvailable()   // CI=true + something missing: throws -> the file fails
 *   describe.runIf(e2e.ok)("...", () => { ... })
 *
 * or, inside a suite: `beforeAll(async () => { if (!(await requireRealVagrant())) ... })`.
 * Outside CI a missing prerequisite makes the file skip with
 * "e2e suite NOT RUN: <missing>; set up with: sudo bash scripts/setup-host.sh";
 * scripts/summarize-tests.mjs then still fails the run because the e2e project executed
 * zero tests.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type RunResult, sh } from "./sandbox.js"

/** Repository root (absolute). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "")

/** Base image the docker provider uses; built by scripts/build-image.sh. */
export const E2E_IMAGE = process.env["VM_E2E_IMAGE"] ?? "vm-local/debian:bookworm"

export const SETUP_COMMAND = "bash scripts/setup-host.sh"

export interface RealVagrant {
  readonly ok: boolean
  /** Human-readable list of what is missing (empty when ok). */
  readonly missing: ReadonlyArray<string>
  readonly vagrantVersion: string | undefined
  readonly dockerServerVersion: string | undefined
}

/** IMAGE_REV from scripts/build-image.sh: the image label dev.vm.image-rev must match it. */
function wantedImageRev(): string | undefined {
  try {
    const text = readFileSync(`${REPO_ROOT}/scripts/build-image.sh`, "utf8")
    return /^IMAGE_REV=(\d+)/m.exec(text)?.[1]
  } catch {
    return undefined
  }
}

async function probe(): Promise<RealVagrant> {
  const missing: Array<string> = []
  // a hung docker/vagrant must not hang the probe: timeouts become failures
  const run = (cmd: string, args: ReadonlyArray<string>): Promise<RunResult> =>
    sh(cmd, args, { timeoutMs: 60_000 }).catch((e: unknown) => ({
      command: cmd,
      stdout: "",
      stderr: e instanceof Error ? e.message : String(e),
      exitCode: -1,
      durationMs: 0
    }))

  let vagrantVersion: string | undefined
  const v = await run("vagrant", ["--version"])
  if (v.exitCode === 0) vagrantVersion = v.stdout.trim()
  else missing.push(`vagrant (vagrant --version: ${firstLine(v.stderr) || `exit ${v.exitCode}`})`)

  let dockerServerVersion: string | undefined
  const d = await run("docker", ["version", "--format", "{{.Server.Version}}"])
  if (d.exitCode === 0 && d.stdout.trim() !== "") dockerServerVersion = d.stdout.trim()
  else missing.push(`docker daemon (docker version: ${firstLine(d.stderr) || `exit ${d.exitCode}`})`)

  if (dockerServerVersion !== undefined) {
    const img = await run("docker", ["image", "inspect", E2E_IMAGE, "--format", '{{index .Config.Labels "dev.vm.image-rev"}}'])
    const want = wantedImageRev()
    if (img.exitCode !== 0) missing.push(`image ${E2E_IMAGE}`)
    else if (want !== undefined && img.stdout.trim() !== want) {
      missing.push(`image ${E2E_IMAGE} is stale (rev '${img.stdout.trim()}', scripts/build-image.sh has ${want})`)
    }
  }
  return { ok: missing.length === 0, missing, vagrantVersion, dockerServerVersion }
}

function firstLine(s: string): string {
  return s.trim().split("\n")[0] ?? ""
}

let cached: Promise<RealVagrant> | undefined
let warned = false

/**
 * Probe once per test file (memoized). When something is missing:
 * - CI=true: throws an Error naming what is missing and the set-up command;
 * - otherwise: prints "e2e suite NOT RUN: ..." and resolves `{ ok: false, ... }`.
 */
export async function realVagrantAvailable(): Promise<RealVagrant> {
  cached ??= probe()
  const result = await cached
  if (!result.ok) {
    const what = result.missing.join(", ")
    if (process.env["CI"] === "true") {
      throw new Error(`real-Vagrant e2e prerequisites missing: ${what}. Run: sudo ${SETUP_COMMAND}`)
    }
    if (!warned) console.warn(`e2e suite NOT RUN: ${what}; set up with: sudo ${SETUP_COMMAND}`)
    warned = true
  }
  return result
}

/** For `beforeAll`: true when the suite can run; throws under CI=true when it cannot. */
export async function requireRealVagrant(): Promise<boolean> {
  return (await realVagrantAvailable()).ok
}
