import { posix } from "node:path"

/**
 * Host directories a temp VM must never see (checked on the real path, after symlinks):
 * the directory and everything below it.
 */
export const FORBIDDEN_HOST_TREES = [
  "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr",
  "/var/lib", "/var/log", "/var/cache", "/var/spool", "/var/mail",
  // macOS system locations
  "/System", "/private/etc", "/private/var/db"
] as const

/** Too broad to mount as a whole; their subdirectories are fine (e.g. /home/me/src, /var/www). */
export const FORBIDDEN_HOST_EXACT = [
  "/", "/home", "/Users", "/root", "/var", "/tmp", "/opt", "/srv", "/mnt", "/media", "/private", "/private/tmp", "/private/var"
] as const

/** Guest paths a mount would break the guest at (ssh keys live in the home directory). */
export const FORBIDDEN_GUEST_TREES = [
  "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/run", "/sbin", "/sys", "/usr", "/var"
] as const
export const FORBIDDEN_GUEST_EXACT = ["/", "/home", "/root", "/tmp"] as const

const within = (path: string, tree: string) => path === tree || path.startsWith(tree === "/" ? "/" : `${tree}/`)

/**
 * Why a host directory (absolute, symlinks resolved) must not be mounted, or undefined.
 * `home` itself is refused (it holds ssh keys and ~/.vm); so is anything under ~/.vm, ~/.ssh and ~/.gnupg.
 */
export const hostSourceProblem = (real: string, home: string): string | undefined => {
  if (real === "/") return "is the root of the file system"
  // a path the VM's mount table, the Vagrantfile and every listing would carry: no line breaks, no escapes
  if (/[\x00-\x1f\x7f]/.test(real)) return "contains control characters (a newline, a tab, an escape); rename the directory"
  const tree = FORBIDDEN_HOST_TREES.find((t) => within(real, t))
  if (tree !== undefined) return `is a system directory (${tree}); mount a project directory instead`
  if ((FORBIDDEN_HOST_EXACT as ReadonlyArray<string>).includes(real)) {
    return "is a top-level directory; mount the project directory inside it instead"
  }
  if (real === home) return "is your home directory (it holds ssh keys and ~/.vm); mount a directory inside it instead"
  // a parent of the home directory exposes it whole: /var/home (Silverblue), /export/home, /data holding /data/me
  if (within(home, real)) return `contains your home directory ${home} (ssh keys, ~/.gnupg); mount a directory inside it instead`
  const system = FORBIDDEN_HOST_TREES.find((t) => within(t, real))
  if (system !== undefined) return `contains the system directory ${system}; mount a project directory instead`
  for (const secret of [".vm", ".ssh", ".gnupg"]) {
    if (within(real, `${home}/${secret}`)) return `is inside ~/${secret}, which a throw-away VM must not see`
  }
  return undefined
}

/** The normalized absolute guest path, or why it is not acceptable. */
export const normalizeGuestTarget = (
  target: string,
  guestUser: string
): { readonly ok: true; readonly target: string } | { readonly ok: false; readonly reason: string } => {
  if (!target.startsWith("/")) return { ok: false, reason: `guest target '${target}' must be an absolute path` }
  // control characters would corrupt /proc/mounts-style listings and terminal output
  if (/[\x00-\x1f\x7f]/.test(target)) return { ok: false, reason: "guest target contains control characters" }
  if (target.split("/").some((segment) => segment === "." || segment === "..")) {
    return { ok: false, reason: `guest target '${target}' must not contain '.' or '..'` }
  }
  const normalized = posix.normalize(target).replace(/(.)\/+$/, "$1")
  const home = `/home/${guestUser}`
  if ((FORBIDDEN_GUEST_EXACT as ReadonlyArray<string>).includes(normalized) || normalized === home) {
    return { ok: false, reason: `guest target '${normalized}' would hide a directory the guest needs` }
  }
  const tree = [...FORBIDDEN_GUEST_TREES, `${home}/.ssh`].find((t) => within(normalized, t))
  if (tree !== undefined) return { ok: false, reason: `guest target '${normalized}' is inside ${tree}, which the guest needs` }
  return { ok: true, target: normalized }
}

/** Guest directory temp VM mounts go under by default. */
export const TEMP_WORKSPACE = "/workspace"

/** `/workspace/<basename>` for a host directory. */
export const defaultTarget = (realSource: string): string => `${TEMP_WORKSPACE}/${posix.basename(realSource)}`
