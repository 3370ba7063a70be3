/** `vagrant ssh-config` output ↔ data, for running plain `ssh -F` instead of `vagrant ssh`. */

export interface SshHostEntry {
  readonly host: string
  /** Lower-cased keyword → value (surrounding quotes removed). A repeated keyword keeps its first value, as ssh does. */
  readonly options: Readonly<Record<string, string>>
  /** Every IdentityFile in order: Vagrant prints one line per private key and ssh tries them all. */
  readonly identityFiles?: ReadonlyArray<string>
}

// The rest of the line is a command for the shell; quotes in it belong to that command.
const COMMAND_KEYWORDS = new Set(["proxycommand", "localcommand", "remotecommand", "knownhostscommand"])

const unquote = (value: string): string =>
  value.length >= 2 && value.startsWith("\"") && value.endsWith("\"") && !value.slice(1, -1).includes("\"")
    ? value.slice(1, -1)
    : value

/** Host blocks in file order; lines before the first `Host`, blank lines and comments are skipped. */
export const parseSshConfig = (text: string): Array<SshHostEntry> => {
  const entries: Array<{ host: string; options: Record<string, string>; identityFiles: Array<string> }> = []
  for (const rawLine of text.split("\n")) {
    const line = rawLine.trim()
    if (line === "" || line.startsWith("#")) continue
    // `Keyword value` or `Keyword=value`
    const match = /^([A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(.*)$/.exec(line)
    if (match === null) continue
    const key = match[1]!.toLowerCase()
    const rest = match[2]!.trim()
    const value = COMMAND_KEYWORDS.has(key) ? rest : unquote(rest)
    if (key === "host") {
      entries.push({ host: value, options: Object.create(null) as Record<string, string>, identityFiles: [] })
      continue
    }
    const current = entries[entries.length - 1]
    if (current === undefined) continue
    if (key === "identityfile") current.identityFiles.push(value)
    if (!Object.hasOwn(current.options, key)) current.options[key] = value
  }
  return entries.map((e) => ({ host: e.host, options: { ...e.options }, identityFiles: e.identityFiles }))
}

const CANONICAL_KEYWORDS = [
  "HostName", "User", "Port", "UserKnownHostsFile", "StrictHostKeyChecking", "PasswordAuthentication",
  "IdentityFile", "IdentitiesOnly", "LogLevel", "ForwardAgent", "ForwardX11", "ProxyCommand", "Include",
  "PubkeyAcceptedKeyTypes", "HostKeyAlgorithms", "ControlMaster", "ControlPath", "ControlPersist",
  "ConnectTimeout", "ServerAliveInterval", "ServerAliveCountMax", "BatchMode", "RequestTTY"
]
const KEYWORD_CASE = new Map(CANONICAL_KEYWORDS.map((k) => [k.toLowerCase(), k]))

const renderValue = (key: string, value: string): string => {
  if (/[\r\n\0]/.test(value)) throw new Error(`ssh option ${key} contains a line break or NUL`)
  if (COMMAND_KEYWORDS.has(key.toLowerCase())) return value
  if (value.includes("\"")) throw new Error(`ssh option ${key} contains a double quote, which ssh_config cannot express`)
  return value === "" || /\s/.test(value) ? `"${value}"` : value
}

const renderLine = (key: string, value: string): string =>
  `  ${KEYWORD_CASE.get(key.toLowerCase()) ?? key} ${renderValue(key, value)}`

/** ssh_config text in Vagrant's layout (`Host` line, two-space-indented options). */
export const renderSshConfig = (entries: ReadonlyArray<SshHostEntry>): string =>
  entries
    .map((entry) => {
      const lines = [`Host ${renderValue("Host", entry.host)}`]
      for (const [key, value] of Object.entries(entry.options)) {
        if (key.toLowerCase() === "identityfile" && entry.identityFiles !== undefined && entry.identityFiles.length > 0) {
          for (const file of entry.identityFiles) lines.push(renderLine(key, file))
        } else {
          lines.push(renderLine(key, value))
        }
      }
      return `${lines.join("\n")}\n`
    })
    .join("")

/** What `vagrant ssh-config` says about a machine whose ssh port vm allocated on the loopback. */
export interface LoopbackSshMachine {
  readonly host: string
  readonly port: number
  readonly user: string
  /** The key Vagrant put in place of its insecure one on the first boot (`<data dir>/private_key`). */
  readonly identityFile: string
}

/**
 * The ssh-config Vagrant (2.3.4, `plugins/commands/ssh_config/command.rb` + `templates/commands/ssh_config/config.erb`)
 * prints for such a machine, without starting Vagrant (about 1 s of Ruby): the same lines in the same
 * order, so either source gives the same connection.
 */
export const loopbackSshConfig = (m: LoopbackSshMachine): string =>
  renderSshConfig([{
    host: m.host,
    options: {
      HostName: "127.0.0.1",
      User: m.user,
      Port: String(m.port),
      UserKnownHostsFile: "/dev/null",
      StrictHostKeyChecking: "no",
      PasswordAuthentication: "no",
      IdentityFile: m.identityFile,
      IdentitiesOnly: "yes",
      LogLevel: "FATAL"
    },
    identityFiles: [m.identityFile]
  }])
