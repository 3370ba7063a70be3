import { shellQuote } from "../shell.js"

export const ENV_FILE = "/etc/profile.d/vm-env.sh"

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * A root shell script that replaces `/etc/profile.d/vm-env.sh` with one `export K='v'` line per
 * variable (sorted by name; an empty map gives an empty file). Written to a temp file and renamed,
 * so a login shell never sources a half-written file. No heredoc: a value could end it early.
 */
export const envScript = (env: Readonly<Record<string, string>>): string => {
  const names = Object.keys(env).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const lines = names.map((name) => {
    if (!NAME.test(name)) throw new Error(`not an environment variable name: ${JSON.stringify(name)}`)
    return `export ${name}=${shellQuote(env[name]!)}`
  })
  const write = lines.length === 0 ? `: > "$tmp"` : `printf '%s\\n' ${lines.map(shellQuote).join(" ")} > "$tmp"`
  return [
    "set -e",
    "mkdir -p /etc/profile.d",
    // a leftover temp file is not `*.sh`, so profile never sources it
    `tmp=$(mktemp /etc/profile.d/.vm-env.XXXXXX)`,
    write,
    `chmod 0644 "$tmp"`,
    `mv -f "$tmp" ${ENV_FILE}`,
    ""
  ].join("\n")
}
