const ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }

/** Control characters shown as escapes (\n, \x1b), so a message stays one line and cannot move the cursor. */
export const printable = (text: string): string =>
  text.replace(/[\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
