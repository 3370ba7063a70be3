import type { Mount, TempVmRecord } from "@vm/core/temp/TempVmRecord"
import { sameMounts } from "@vm/core/temp/TempVmRecord"

const mountLine = (m: Mount) => `  ${m.source} -> ${m.target} (${m.readonly ? "ro" : "rw"})`

/** The recorded mounts differ from those the machine runs with. */
export const pendingMounts = (r: TempVmRecord) => r.appliedMounts === null || !sameMounts(r.appliedMounts, r.mounts)

/** A temp VM's mounts as `vm temp mounts` and `vm temp status` show them, one line each. */
export const mountLines = (record: TempVmRecord): ReadonlyArray<string> => [
  ...(record.mounts.length === 0 ? ["  (no mounts)"] : record.mounts.map(mountLine)),
  ...(pendingMounts(record) ? [`  (not applied yet: run \`vm temp start --name ${record.name}\`)`] : [])
]

/** What `--json` adds to a temp VM's status report. */
export const tempDetails = (record: TempVmRecord) => ({
  mounts: record.mounts,
  pendingMounts: pendingMounts(record),
  createdAt: record.createdAt,
  projectDir: record.projectDir,
  autoDestroy: record.autoDestroy
})
