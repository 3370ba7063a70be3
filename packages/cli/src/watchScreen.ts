/**
 * The terminal side of `vm status --watch`, as `docker stats` draws it: each frame overwrites the
 * previous one in place (cursor home, every line erased to its end, the rest of the screen cleared),
 * so nothing flickers and the last frame stays on screen after Ctrl-C. Pure: strings only.
 */

/** Before the first frame: hide the cursor, cut long lines instead of wrapping them, clear the screen. */
export const SCREEN_START = "\x1b[?25l\x1b[?7l\x1b[2J"
/** After the last frame: wrapping and cursor back, and a newline so the shell prompt starts below the frame. */
export const SCREEN_END = "\x1b[?7h\x1b[?25h\n"

/**
 * One frame as written to the terminal. Only as many lines as the terminal has rows (`rows`
 * unknown or 0: all), since a frame taller than the screen would scroll and never be overwritten.
 */
export const redraw = (frame: string, rows: number | undefined): string => {
  const lines = frame.split("\n")
  const shown = rows !== undefined && rows > 0 ? lines.slice(0, rows) : lines
  return `\x1b[H${shown.join("\x1b[K\n")}\x1b[K\x1b[J`
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`

/** The frame's first line: how often it refreshes, when this frame was taken, how to stop. */
export const watchHeader = (intervalMs: number, at: Date): string =>
  `every ${seconds(intervalMs)} · ${at.toTimeString().slice(0, 8)} · Ctrl-C to quit`

/** A frame: the header, a blank line, the body. */
export const watchFrame = (intervalMs: number, at: Date, body: string, paintHeader: (text: string) => string): string =>
  `${paintHeader(watchHeader(intervalMs, at))}\n\n${body}`

/** One NDJSON line of `vm status --watch` off a terminal: the `--json` report with the frame's time first. */
export const ndjsonLine = (report: object, at: Date): string => JSON.stringify({ timestamp: at.toISOString(), ...report })
