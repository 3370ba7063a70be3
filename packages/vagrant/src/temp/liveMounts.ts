import { type Mount, Progress, VmNotRunning } from "@vm/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { VBoxManage } from "../hypervisors/VBoxManage.js"
import { sha256 } from "../hash.js"
import { shellQuote } from "../shell.js"
import { VagrantProjectTag } from "../project/VagrantProject.js"
import { guestCommand } from "./health.js"

/**
 * The VirtualBox share name for a guest path: readable, unique per target (hash), and never the name
 * Vagrant gives a boot-time folder, so a live share cannot clash with one.
 */
export const shareNameFor = (target: string): string =>
  `vm_${target.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "").slice(0, 40)}_${
    sha256(target).slice(0, 8)
  }`

/** Mounts a VirtualBox share in the guest as the login user (vboxsf needs the Guest Additions). */
export const guestMountCommand = (share: string, target: string, readonly: boolean): string =>
  `sudo mkdir -p -- ${shellQuote(target)} && sudo mount -t vboxsf -o "uid=$(id -u),gid=$(id -g)${
    readonly ? ",ro" : ""
  }" -- ${shellQuote(share)} ${shellQuote(target)}`

export const guestUnmountCommand = (target: string): string =>
  `if mountpoint -q -- ${shellQuote(target)}; then sudo umount -- ${shellQuote(target)}; fi`

/**
 * Applies a mount diff to a running VirtualBox VM without a reboot: transient shared folders
 * (`--readonly` enforced by the host, `ro` by the guest mount) plus mount/umount over ssh.
 * A folder the VM was booted with is only unmounted in the guest; Vagrant drops its share at the next boot.
 */
export const applyLiveMounts = (
  name: string,
  diff: { readonly remove: ReadonlyArray<Mount>; readonly add: ReadonlyArray<Mount> }
) =>
  Effect.gen(function*() {
    const p = yield* VagrantProjectTag
    const vbox = yield* VBoxManage
    const progress = yield* Progress
    const r = yield* p.record(name)
    const uuid = yield* p.machineId(r.machine)
    if (Option.isNone(uuid)) return yield* new VmNotRunning({ name, state: "not created" })
    const transient = new Set((yield* vbox.sharedFolders(uuid.value)).filter((s) => s.transient).map((s) => s.name))
    const guest = (command: string) => guestCommand(name, command, p.timeouts.queryMs)

    for (const m of diff.remove) {
      yield* progress.phase(`Unmounting ${m.target} from ${name} (live)`, Effect.gen(function*() {
        yield* guest(guestUnmountCommand(m.target))
        const share = shareNameFor(m.target)
        if (transient.has(share)) {
          yield* vbox.removeTransientShare(uuid.value, share)
          transient.delete(share)
        }
      }))
    }
    for (const m of diff.add) {
      yield* progress.phase(`Mounting ${m.source} at ${m.target} in ${name} (live)`, Effect.gen(function*() {
        const share = shareNameFor(m.target)
        // left over from an earlier attempt whose guest mount failed
        if (transient.has(share)) yield* vbox.removeTransientShare(uuid.value, share)
        yield* vbox.addTransientShare(uuid.value, { name: share, hostPath: m.source, readonly: m.readonly })
        yield* guest(guestMountCommand(share, m.target, m.readonly)).pipe(
          Effect.tapError(() => vbox.removeTransientShare(uuid.value, share).pipe(Effect.ignore))
        )
      }))
    }
    // the file now describes what the machine has: the next reload makes the shares permanent
    const hash = yield* p.writeVagrantfile
    yield* p.markBooted(name, hash)
  })
