import { execFileSync, spawnSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { execArgv } from "../src/guest/commands.js"

// the shells a guest user may have as login shell; under CI=true each must be installed (setup-host.sh)
const SHELLS: ReadonlyArray<ReadonlyArray<string>> = [["bash"], ["dash"], ["busybox", "sh"]]
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0

describe.each(SHELLS)("exec of any argv in %s", (...shell) => {
  const present = has(shell[0]!)
  if (!present && process.env["CI"] === "true") throw new Error(`${shell[0]} is missing (sudo bash scripts/setup-host.sh installs it)`)
  const run = (argv: ReadonlyArray<string>) => spawnSync(shell[0]!, [...shell.slice(1), "-c", execArgv(argv)], { encoding: "utf8" })

  it.skipIf(!present)("a leading -a, -l, -c or -- is a program name, not an option of exec: 127", () => {
    for (const first of ["-a", "-l", "-c", "--", "-", "-x", "-a=b", "--x=", "-="]) {
      const r = run([first, "foo", "printf", "%s|", "x"])
      expect(r.status, `${first}: ${r.stdout}${r.stderr}`).toBe(127)
      expect(r.stdout).toBe("")
    }
  })

  it.skipIf(!present)("ordinary argv runs verbatim, options after the program name untouched", () => {
    expect(run(["printf", "%s|", "-a", "--", "it's", "$(id)", ""]).stdout).toBe("-a|--|it's|$(id)||")
    expect(run(["sh", "-c", "exit 7"]).status).toBe(7)
  })

  it.skipIf(!present)("a program whose name starts with '-' (even '-' or '-a=b') runs when it exists on PATH", () => {
    const dir = execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim()
    for (const name of ["-tool", "-", "-a=b"]) {
      execFileSync("sh", ["-c", `printf '#!/bin/sh\\necho dash-named "$@"\\nexit 3\\n' > '${dir}/${name}' && chmod +x '${dir}/${name}'`])
      const r = spawnSync(shell[0]!, [...shell.slice(1), "-c", execArgv([name, "a b", "-c"])], {
        encoding: "utf8",
        env: { ...process.env, PATH: `${dir}:${process.env["PATH"]}` }
      })
      expect(r.stdout, name).toBe("dash-named a b -c\n")
      expect(r.status, name).toBe(3)
    }
    execFileSync("rm", ["-rf", dir])
  })
})
