/** POSIX sh quoting for commands sent to guests and scripts embedded in the Vagrantfile. */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** One sh word whose value is exactly `s`. */
export const shellQuote = (s: string): string => {
  // argv cannot carry NUL; letting it through would silently truncate the word
  if (s.includes("\0")) throw new Error("shell word contains a NUL byte; it must be rejected before quoting")
  return SAFE.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

// Unquoted, these change meaning when they are the first word of a command.
const RESERVED = new Set([
  "case", "do", "done", "elif", "else", "esac", "fi", "for", "if", "in", "then", "until", "while",
  "function", "select", "time", "coproc" // bash
])
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/

/** A command line that sh splits back into exactly `argv`. */
export const shellJoin = (argv: ReadonlyArray<string>): string =>
  argv
    .map((arg, i) => {
      const word = shellQuote(arg)
      const commandWord = i === 0 && word === arg && (RESERVED.has(arg) || ASSIGNMENT.test(arg))
      return commandWord ? `'${arg}'` : word
    })
    .join(" ")
