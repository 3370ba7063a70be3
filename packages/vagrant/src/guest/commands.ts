import { ENV_FILE as GUEST_ENV_FILE } from "../render/envScript.js"
import { shellJoin, shellQuote } from "../shell.js"

export { GUEST_ENV_FILE }

/**
 * Runs any argv, verbatim, in bash, dash and busybox sh: `exec` reads a leading `-a`, `-l`, `-c` or
 * `--` as its own option in bash and busybox (and dash's takes no `--`), and `env --` still reads
 * `-` and `NAME=VALUE` operands; `command --` runs exactly the name in all three (127 when there is
 * none), as the script's last command, so its status is the shell's.
 */
export const execArgv = (argv: ReadonlyArray<string>) =>
  argv[0]?.startsWith("-") ? `command -- ${shellJoin(argv)}` : `exec ${shellJoin(argv)}`

/** The remote command for exec: workspace as cwd, the VM's environment, argv verbatim. */
export const execCommand = (dir: string, argv: ReadonlyArray<string>) =>
  `cd -- ${shellQuote(dir)} || exit 1; [ -r ${GUEST_ENV_FILE} ] && . ${GUEST_ENV_FILE}; ${execArgv(argv)}`

export const shellCommand = (dir: string) =>
  `cd -- ${shellQuote(dir)} || exit 1; [ -r ${GUEST_ENV_FILE} ] && . ${GUEST_ENV_FILE}; exec "\${SHELL:-/bin/sh}" -l`

/** The guest's own log (journald, else syslog) when the hypervisor keeps none. */
export const guestLogCommand = (tail: number, follow: boolean) => {
  const n = String(tail)
  return `if command -v journalctl >/dev/null 2>&1; then exec sudo journalctl --no-pager -n ${n}${
    follow ? " -f" : ""
  }; else exec sudo tail -n ${n}${follow ? " -F" : ""} /var/log/syslog /var/log/messages 2>/dev/null; fi`
}
