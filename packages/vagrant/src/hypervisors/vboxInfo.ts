/**
 * `VBoxManage showvminfo --machinereadable` lines: `key="value"`, `key=value` or `"quoted key"="value"`.
 * VirtualBox writes values with `"` and `\` unescaped, so only the outer quotes are stripped.
 */
export const parseVBoxInfo = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const unquote = (s: string) => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s)
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "")
    const eq = line.startsWith('"') ? line.indexOf('"=', 1) + 1 : line.indexOf("=")
    if (eq <= 0) continue
    out[unquote(line.slice(0, eq))] = unquote(line.slice(eq + 1))
  }
  return out
}

/** VBoxManage's message for a uuid it does not know (the VM was deleted outside Vagrant). */
export const VBOX_NOT_FOUND = /Could not find a registered machine/i
