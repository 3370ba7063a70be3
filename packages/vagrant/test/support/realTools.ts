/**
 * Running the real `ruby` / `vagrant` / `sh` from unit tests. Tests that need a tool skip when it is
 * missing on a developer machine, but run (and fail) when CI=true, so CI can never silently skip them.
 */
import { execFile, spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

export const hasBinary = (name: string): boolean =>
  spawnSync("sh", ["-c", 'command -v "$1" >/dev/null', "sh", name]).status === 0

export interface ToolGate {
  readonly missing: ReadonlyArray<string>
  /** Skip the suite: tools are missing and this is not CI. */
  readonly skip: boolean
  /** Call in beforeAll: fails the suite when it runs without its tools (CI). */
  readonly assertPresent: () => void
}

export const toolGate = (...names: ReadonlyArray<string>): ToolGate => {
  const missing = names.filter((n) => !hasBinary(n))
  return {
    missing,
    skip: missing.length > 0 && process.env.CI !== "true",
    assertPresent: () => {
      if (missing.length > 0) throw new Error(`required tools missing (CI=true): ${missing.join(", ")}`)
    }
  }
}

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly input?: string | Buffer } = {}
): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = execFile(
      command,
      [...args],
      { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024, encoding: "buffer" },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        if (error !== null && typeof error.code !== "number") reject(error)
        else resolve({ code, stdout: stdout.toString("utf8"), stderr: stderr.toString("utf8") })
      }
    )
    // a child may exit before reading stdin; EPIPE then is expected, not a failure
    child.stdin?.on("error", () => undefined)
    child.stdin?.end(options.input ?? "")
  })

/** At most `n` tasks at a time (each vagrant call is ~1 s of Ruby on a 2-core machine). */
export const limiter = (n: number) => {
  let active = 0
  const waiting: Array<() => void> = []
  return async <A>(task: () => Promise<A>): Promise<A> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}

/**
 * Runs a Ruby program from a file the way Vagrant loads a Vagrantfile (`Kernel.load`, UTF-8
 * source), under LANG=C so the locale cannot help. Returns stdout's bytes.
 */
export const runRubyProgram = async (dir: string, program: string): Promise<Buffer> => {
  const file = join(dir, `program-${Date.now()}-${Math.random().toString(36).slice(2)}.rb`)
  writeFileSync(file, program)
  const result = await runBinary("ruby", ["-e", "load ARGV[0]", file], { ...process.env, LANG: "C", LC_ALL: "C" })
  if (result.code !== 0) throw new Error(`ruby failed (${result.code}): ${result.stderr}`)
  return result.stdout
}

/** Evaluates Ruby string literals with the real interpreter; returns each value's bytes. */
export const evalRubyStrings = async (dir: string, literals: ReadonlyArray<string>): Promise<Array<Buffer>> => {
  const stdout = await runRubyProgram(dir, [
    "STDOUT.binmode",
    "values = [",
    ...literals.map((l) => `${l},`),
    "]",
    "values.each do |v|",
    "  raise \"not a valid UTF-8 String: #{v.inspect}\" unless v.is_a?(String) && v.encoding == Encoding::UTF_8 && v.valid_encoding?",
    "  STDOUT.write([v.bytesize].pack('N'), v.b)",
    "end",
    ""
  ].join("\n"))
  const out: Array<Buffer> = []
  for (let at = 0; at < stdout.length;) {
    const size = stdout.readUInt32BE(at)
    out.push(stdout.subarray(at + 4, at + 4 + size))
    at += 4 + size
  }
  return out
}

/** Evaluates Ruby literals of plain data and returns them as JSON values. */
export const evalRubyData = async (dir: string, literals: ReadonlyArray<string>): Promise<Array<unknown>> => {
  const stdout = await runRubyProgram(dir, ["require 'json'", "STDOUT.write(JSON.generate([", ...literals.map((l) => `${l},`), "]))", ""].join("\n"))
  return JSON.parse(stdout.toString("utf8")) as Array<unknown>
}

const runBinary = (command: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number; stdout: Buffer; stderr: string }>((resolve, reject) => {
    execFile(command, [...args], { env, maxBuffer: 64 * 1024 * 1024, encoding: "buffer" }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== "number") reject(error)
      else resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr: stderr.toString("utf8") })
    })
  })

/** Deterministic pseudo-random numbers (mulberry32) so property-style tests are reproducible. */
export const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Hostile fragments for strings that must survive quoting exactly. */
export const HOSTILE_FRAGMENTS: ReadonlyArray<string> = [
  "'", "\\", "\\'", "\\\\", "\"", "`", "$", "$(id)", "`id`", "${HOME}", "#{system(\"x\")}", "#{", "#@x", "#$0",
  "\n", "\r\n", "\r", "\t", " ", "  ", ";", "&&", "|", ">", "<", "*", "?", "[a]", "~", "!", "-", "--", "=",
  "%q{", "%Q(", "}", ")", "\n__END__\n", "__END__", "\n=begin\n", "\n=end\n", "<<EOS", "\nEOS\n", "end",
  "\u0004", "\u001a", "\u001b[31m", "\u007f", "é", "日本語", "😀", "\u2028", "\ufeff", "\\n", "\\r", "\\x41", "\\u0041",
  "plain", "a", "0", "/path/to/x", "'\\''", "VM_ENV_EOF"
]

export const randomHostile = (random: () => number, maxParts = 8): string => {
  const parts = 1 + Math.floor(random() * maxParts)
  let s = ""
  for (let i = 0; i < parts; i++) s += HOSTILE_FRAGMENTS[Math.floor(random() * HOSTILE_FRAGMENTS.length)]!
  return s
}
