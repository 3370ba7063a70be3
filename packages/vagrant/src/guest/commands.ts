import { ENV_FILE as GUEST_ENV_FILE } from "../render/envScript.js"
import { shellJoin, shellQuote } from "../shell.js"

export { GUEST_ENV_FILE }

/** The remote command for exec: workspace as cwd, the VM's environment, argv verbatim. */
export const execCommand = (dir: string, argv: ReadonlyArray<string>) =>
  `cd -- ${shellQuote(dir)} || exit 1; [ -r ${GUEST_ENV_FILE} ] && . ${GUEST_ENV_FILE}; exec ${shellJoin(argv)}`

export const shellCommand = (dir: string) =>
  `cd -- ${shellQuote(dir)} || exit 1; [ -r ${GUEST_ENV_FILE} ] && . ${GUEST_ENV_FILE}; exec "\${SHELL:-/bin/sh}" -l`

/** The guest's own log (journald, else syslog) when the hypervisor keeps none. */
export const guestLogCommand = (tail: number, follow: boolean) => {
  const n = String(tail)
  return `if command -v journalctl >/dev/null 2>&1; then exec sudo journalctl --no-pager -n ${n}${
    follow ? " -f" : ""
  }; else exec sudo tail -n ${n}${follow ? " -F" : ""} /var/log/syslog /var/log/messages 2>/dev/null; fi`
}
