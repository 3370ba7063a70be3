import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The script as shipped. */
export const METRICS_SCRIPT = fileURLToPath(new URL("../../src/guest/metrics.sh", import.meta.url))

export interface FixtureFiles {
  /** Paths relative to the fake /proc → content. */
  readonly proc: Readonly<Record<string, string>>
  /** Files the fake `sleep` writes over /proc ones: the second CPU sample. */
  readonly procAfter?: Readonly<Record<string, string>>
  /** Paths relative to the fake /sys/fs/cgroup → content. */
  readonly cgroup?: Readonly<Record<string, string>>
  readonly cgroupAfter?: Readonly<Record<string, string>>
  /** Tools on PATH: fakes (sleep swaps in the "after" files), or none. */
  readonly tools?: ReadonlyArray<"sleep" | "df" | "getconf" | "systemctl">
}

const write = (root: string, files: Readonly<Record<string, string>>) => {
  for (const [rel, text] of Object.entries(files)) {
    Fs.mkdirSync(Path.dirname(Path.join(root, rel)), { recursive: true })
    Fs.writeFileSync(Path.join(root, rel), text)
  }
}

const FAKE_TOOLS = {
  // the second sample: the "after" files replace the "before" ones while the script sleeps
  sleep: (dir: string) => `#!/bin/sh\n/bin/cp -R ${dir}/proc-after/. ${dir}/proc/ 2>/dev/null\n/bin/cp -R ${dir}/cgroup-after/. ${dir}/cgroup/ 2>/dev/null\nexit 0\n`,
  df: () =>
    `#!/bin/sh\n[ "$*" = "-P -k /" ] || exit 1\nprintf 'Filesystem     1024-blocks    Used Available Capacity Mounted on\\n/dev/vda1         10485760 5242880   4718592      53%% /\\n'\n`,
  getconf: () => `#!/bin/sh\n[ "$1" = CLK_TCK ] && echo 100\n`,
  systemctl: () =>
    `#!/bin/sh\n[ "$1" = is-active ] || exit 1\ncase $2 in\n  ok.service) echo active ;;\n  bad.service) echo failed; exit 3 ;;\n  *) echo inactive; exit 3 ;;\nesac\n`
} as const

/** A fake /proc and cgroup tree plus a PATH of fake tools; run the script on it with `run`. */
export const makeMetricsFixture = (files: FixtureFiles) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-metrics-"))
  write(Path.join(dir, "proc"), files.proc)
  write(Path.join(dir, "proc-after"), files.procAfter ?? {})
  write(Path.join(dir, "cgroup"), files.cgroup ?? {})
  write(Path.join(dir, "cgroup-after"), files.cgroupAfter ?? {})
  const bin = Path.join(dir, "bin")
  Fs.mkdirSync(bin)
  for (const tool of files.tools ?? []) {
    Fs.writeFileSync(Path.join(bin, tool), FAKE_TOOLS[tool](dir), { mode: 0o755 })
  }
  return {
    dir,
    /**
     * Runs the script with `shell` (default /bin/sh) and PATH = the fake tools only. No saved CPU
     * reading (VM_CPU_STATE empty) unless `env` names one.
     */
    run: (args: ReadonlyArray<string>, shell: ReadonlyArray<string> = ["/bin/sh"], env: Readonly<Record<string, string>> = {}) => {
      const r = spawnSync(shell[0]!, [...shell.slice(1), METRICS_SCRIPT, ...args], {
        env: { PATH: bin, VM_PROC: Path.join(dir, "proc"), VM_CGROUP: Path.join(dir, "cgroup"), VM_CPU_STATE: "", ...env },
        encoding: "utf8",
        timeout: 20_000
      })
      return { status: r.status, stdout: r.stdout, stderr: r.stderr }
    },
    cleanup: () => Fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** /proc/net/tcp rows: [local hex address:port, state]. */
export const tcpTable = (rows: ReadonlyArray<readonly [string, string]>) =>
  [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    ...rows.map(([local, st], i) =>
      `   ${i}: ${local} 00000000:0000 ${st} 00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`
    )
  ].join("\n") + "\n"
