/**
 * Property: the words `shellQuote` / `shellJoin` produce and the commands `execArgv` builds are read
 * back by bash, dash and busybox sh as exactly the argv they came from. One shell process per shell
 * per property runs the whole generated batch.
 */
import { FastCheck as fc } from "effect"
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { execArgv } from "../../src/guest/commands.js"
import { shellJoin, shellQuote } from "../../src/shell.js"
import { run, toolGate } from "../support/realTools.js"
import { hostileString } from "./arbitraries.js"

const SHELLS: ReadonlyArray<readonly [string, ...Array<string>]> = [["bash"], ["dash"], ["busybox", "sh"]]
const gate = toolGate("bash", "dash", "busybox", "env", "printf")

const N_QUOTE = 200
const N_EXEC = 40

/** Any argument argv can carry: anything but NUL. */
const arg = hostileString(6)
const argvTail = fc.array(arg, { maxLength: 5 })

/**
 * Names of helper programs put on PATH; each prints its own name and its arguments NUL-terminated,
 * so running it reproduces the whole argv. Names a shell, `exec`, `command` or `env` could misread:
 * options, "-" and "-x=y" (GNU env's -i and assignments), keywords, assignments, globs, quotes,
 * expansions, spaces, a newline. "env" and "printf" are left out: the printf cases run the real one.
 */
const FIXED_HELPERS = [
  "-", "-a", "-l", "-c", "--", "-x", "-e", "-i", "-u", "-p", "-v", "-V", "-a b", "--help", "-$(id)", "-'", "-\n",
  "-a=b", "--x=", "-=", "-a b=c", "-PATH=/nowhere",
  "if", "then", "time", "!", "{", "[[", "A=b", "=x", "it's", "$(id)", "`id`", "${HOME}", "*", "?", "[a]", "~",
  "#c", " lead", "tab\tname", "new\nline", "é日本😀", "exec", "command"
]
const helperName = (s: string) => s !== "" && s !== "." && s !== ".." && !s.includes("/")

const HELPER = "#!/bin/sh\nprintf '%s\\0' \"${0##*/}\" \"$@\"\n"

/** An argv whose program is a helper from `helpers`, or the real printf with a NUL-terminating format. */
const execCase = (helpers: ReadonlyArray<string>) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...helpers), argvTail).map(([name, rest]) => ({ argv: [name, ...rest], prints: [name, ...rest] })),
    // printf repeats its format for each argument (with none it would still print one empty field)
    fc.array(arg, { minLength: 1, maxLength: 5 }).map((rest) => ({ argv: ["printf", "%s\\0", ...rest], prints: rest }))
  )

const splitNul = (out: string) => (out === "" ? [] : out.split("\0").slice(0, -1))

describe.skipIf(gate.skip)("property: sh quoting in bash, dash and busybox sh", () => {
  let dir = ""
  let bin = ""
  let helpers: ReadonlyArray<string> = []
  beforeAll(() => {
    gate.assertPresent()
    dir = mkdtempSync(join(tmpdir(), "vm-shell-property-"))
    bin = join(dir, "bin")
    mkdirSync(bin)
    // the fixed names plus arbitrary ones (a suffix keeps them off busybox's applet names)
    const random = fc.sample(fc.tuple(fc.constantFrom("-", "", "--", "-a "), arg), { seed: 0x5eed_0101, numRuns: 25 })
      .map(([prefix, s]) => `${prefix}${s}~h`)
    helpers = [...new Set([...FIXED_HELPERS, ...random])].filter(helperName)
    for (const name of helpers) {
      writeFileSync(join(bin, name), HELPER)
      chmodSync(join(bin, name), 0o755)
    }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const env = () => ({ ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}`, LC_ALL: "C", LANG: "C" })

  it("a NUL anywhere in any argument is a thrown Error, never a silently truncated word (300 cases)", () => {
    const withNul = fc.tuple(arg, arg).map(([a, b]) => `${a}\0${b}`)
    fc.assert(
      fc.property(argvTail, withNul, fc.nat(5), (rest, bad, at) => {
        const argv = [...rest.slice(0, at), bad, ...rest.slice(at)]
        expect(() => shellQuote(bad)).toThrow(Error)
        expect(() => shellJoin(argv)).toThrow(Error)
        expect(() => execArgv(argv)).toThrow(Error)
      }),
      { seed: 0x5eed_0105, numRuns: 300 }
    )
  })

  it.each(SHELLS)(`shellQuote / shellJoin: printf '%%s\\0' <quoted argv> gives back ${N_QUOTE} arbitrary argv in %s`, async (...shell) => {
    const lists = fc.sample(fc.array(arg, { minLength: 1, maxLength: 6 }), { seed: 0x5eed_0102, numRuns: N_QUOTE })
    // each case prints: its index, its length, then its args, each NUL-terminated; quoted both ways
    const script = lists
      .flatMap((argv, i) => [
        `printf '%s\\0' j${i} ${argv.length} ${shellJoin(argv)}`,
        `printf '%s\\0' q${i} ${argv.length} ${argv.map(shellQuote).join(" ")}`
      ])
      .join("\n")
    const file = join(dir, `quote-${shell.join("-")}.sh`)
    writeFileSync(file, `${script}\n`)
    const result = await run(shell[0], [...shell.slice(1), file], { cwd: dir, env: env() })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const fields = splitNul(result.stdout)
    const parsed = new Map<string, ReadonlyArray<string>>()
    for (let at = 0; at < fields.length;) {
      const count = Number(fields[at + 1])
      parsed.set(fields[at]!, fields.slice(at + 2, at + 2 + count))
      at += 2 + count
    }
    lists.forEach((argv, i) => {
      expect(parsed.get(`j${i}`), `shellJoin ${JSON.stringify(argv)}`).toEqual(argv)
      expect(parsed.get(`q${i}`), `shellQuote ${JSON.stringify(argv)}`).toEqual(argv)
    })
  })

  it.each(SHELLS)(`execArgv: ${N_EXEC} arbitrary argv (programs named like options, keywords, assignments) run verbatim in %s`, async (...shell) => {
    const cases = fc.sample(execCase(helpers), { seed: 0x5eed_0103, numRuns: N_EXEC })
    const out = join(dir, `exec-${shell.join("-")}`)
    rmSync(out, { recursive: true, force: true })
    mkdirSync(out)
    // each case in its own subshell, so `exec` replaces that subshell only; stdout, stderr and status to files
    const script = cases
      .map(({ argv }, i) => `( ${execArgv(argv)} ) >o${i} 2>e${i}; echo "$?" >s${i}`)
      .join("\n")
    const file = join(out, "script.sh")
    writeFileSync(file, `${script}\n`)
    const result = await run(shell[0], [...shell.slice(1), file], { cwd: out, env: env() })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    cases.forEach(({ argv, prints }, i) => {
      const what = `${shell.join(" ")} -c ${JSON.stringify(execArgv(argv))}`
      expect(readFileSync(join(out, `e${i}`), "utf8"), what).toBe("")
      expect(readFileSync(join(out, `s${i}`), "utf8"), what).toBe("0\n")
      expect(splitNul(readFileSync(join(out, `o${i}`), "utf8")), what).toEqual(prints)
    })
  })

  it.each(SHELLS)("execArgv: 5 cases as real `<shell> -c <command>` processes (the form ssh uses) in %s", async (...shell) => {
    for (const { argv, prints } of fc.sample(execCase(helpers), { seed: 0x5eed_0104, numRuns: 5 })) {
      const result = await run(shell[0]!, [...shell.slice(1), "-c", execArgv(argv)], { cwd: dir, env: env() })
      const what = `${shell.join(" ")} -c ${JSON.stringify(execArgv(argv))}`
      expect(result.stderr, what).toBe("")
      expect(result.code, what).toBe(0)
      expect(splitNul(result.stdout), what).toEqual(prints)
    }
  })

  // found by this suite: `exec env -- NAME` ran the NEXT argument when NAME was "-" (GNU env's -i) or "-x=y"
  // (an assignment); on PATH the program named argv[0] must run, and without it the command is 127
  it.each(SHELLS)("execArgv: programs named '-' or '-x=y' run themselves (127 when absent) in %s", async (...shell) => {
    for (const name of ["-", "-a=b", "--x=", "-="]) {
      const argv = [name, "printf", "%s|", "x"]
      const what = `${shell.join(" ")} -c ${JSON.stringify(execArgv(argv))}`
      const present = await run(shell[0]!, [...shell.slice(1), "-c", execArgv(argv)], { cwd: dir, env: env() })
      expect(splitNul(present.stdout), what).toEqual(argv)
      const absent = await run(shell[0]!, [...shell.slice(1), "-c", execArgv(argv)], {
        cwd: dir,
        env: { ...env(), PATH: process.env["PATH"] ?? "" }
      })
      expect(absent.code, `${what} without ${name} on PATH`).toBe(127)
      expect(absent.stdout, what).toBe("")
    }
  })
})
