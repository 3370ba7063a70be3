/**
 * Properties of temp-VM mount specs: parsing never throws and loses nothing; guest targets come out
 * normalized and harmless; and against a real sandbox full of hostile symlinks (to /, /etc, a fake
 * ~/.ssh, a parent of the fake home, loops, dangling links) no spec ever gets a dangerous directory
 * mounted: each is refused with an InvalidInput naming the spec.
 */
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { Cause, Either, Exit, FastCheck as fc, Layer, ManagedRuntime } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import {
  FORBIDDEN_GUEST_EXACT,
  FORBIDDEN_GUEST_TREES,
  FORBIDDEN_HOST_EXACT,
  FORBIDDEN_HOST_TREES,
  hostSourceProblem,
  normalizeGuestTarget
} from "../../src/temp/mountRules.js"
import { parseMountSpec } from "../../src/temp/mountSpec.js"
import type { Mount } from "../../src/temp/TempVmRecord.js"
import { type MountContext, resolveMounts } from "../../src/temp/resolveMounts.js"

const fragment = fc.constantFrom(":", ":ro", ":rw", ":/", "/", "//", ".", "..", "a", "b c", "x:ro", "\0", "\n", "~", "'", "é", "😀", "-")
/** Arbitrary text biased towards what the spec grammar cares about (':', '/', modes). */
const specText = fc
  .array(fc.oneof(fragment, fc.string({ unit: "binary", maxLength: 5 })), { maxLength: 8 })
  .map((parts) => parts.join(""))

/** `a` is `b` or below it. */
const within = (a: string, b: string) => a === b || a.startsWith(b === "/" ? "/" : `${b}/`)

describe("property: parseMountSpec", () => {
  it("any text: a value that spells the spec back exactly, or an InvalidInput naming it; never a throw (500 cases)", () => {
    fc.assert(
      fc.property(specText, (spec) => {
        const result = parseMountSpec(spec)
        if (Either.isLeft(result)) return result.left._tag === "InvalidInput" && result.left.message.startsWith(`mount '${spec}': `)
        const { readonly, source, target } = result.right
        const mode = readonly === undefined ? "" : readonly ? ":ro" : ":rw"
        return source !== "" &&
          (target === undefined || target.startsWith("/")) &&
          !spec.includes("\0") &&
          `${source}${target === undefined ? "" : `:${target}`}${mode}` === spec
      }),
      { seed: 0x5eed_0201, numRuns: 500 }
    )
  })
})

describe("property: normalizeGuestTarget", () => {
  const guestPath = fc
    .array(fc.oneof(fc.constantFrom("", ".", "..", "home", "vagrant", ".ssh", "etc", "usr", "var", "workspace", "tmp", "root", "x"), fc.string({ unit: "binary", maxLength: 4 })), { maxLength: 5 })
    .chain((segments) => fc.constantFrom(`/${segments.join("/")}`, segments.join("/"), `/${segments.join("/")}/`))
  const user = fc.oneof(fc.constant("vagrant"), fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/))

  it("any path: ok only for an absolute, normalized, control-free path outside what the guest needs; never a throw (500 cases)", () => {
    fc.assert(
      fc.property(guestPath, user, (target, guestUser) => {
        const result = normalizeGuestTarget(target, guestUser)
        if (!result.ok) return typeof result.reason === "string" && result.reason !== ""
        const t = result.target
        return t.startsWith("/") &&
          t === Path.posix.normalize(t) &&
          (t === "/" || !t.endsWith("/")) &&
          !/[\x00-\x1f\x7f]/.test(t) &&
          !t.split("/").includes("..") &&
          !(FORBIDDEN_GUEST_EXACT as ReadonlyArray<string>).includes(t) &&
          t !== `/home/${guestUser}` &&
          ![...FORBIDDEN_GUEST_TREES, `/home/${guestUser}/.ssh`].some((tree) => within(t, tree)) &&
          // the place that was given (only slashes removed), and a fixed point
          t === Path.posix.normalize(target).replace(/(.)\/+$/, "$1") &&
          normalizeGuestTarget(t, guestUser).ok
      }),
      { seed: 0x5eed_0202, numRuns: 500 }
    )
  })
})

describe("property: hostSourceProblem", () => {
  const hostPath = fc
    .array(fc.oneof(fc.constantFrom("home", "me", ".ssh", ".vm", ".gnupg", "etc", "usr", "var", "lib", "tmp", "srv", "private", "Users", "code"), fc.string({ unit: "binary", maxLength: 4 }).filter((s) => !s.includes("/") && s !== "." && s !== ".." && s !== "")), { maxLength: 5 })
    .map((segments) => `/${segments.join("/")}`)

  it("any absolute real path: accepted only outside system trees, secrets, the home directory and its parents (500 cases)", () => {
    fc.assert(
      fc.property(hostPath, hostPath.filter((h) => h !== "/"), (real, home) =>
        hostSourceProblem(real, home) !== undefined || (
          real !== "/" &&
          !within(home, real) &&
          ![".ssh", ".vm", ".gnupg"].some((secret) => within(real, `${home}/${secret}`)) &&
          !FORBIDDEN_HOST_TREES.some((tree) => within(real, tree) || within(tree, real)) &&
          !(FORBIDDEN_HOST_EXACT as ReadonlyArray<string>).includes(real) &&
          !/[\x00-\x1f\x7f]/.test(real)
        )),
      { seed: 0x5eed_0203, numRuns: 500 }
    )
  })
})

// ---------------------------------------------------------------------------------------------
// A real sandbox: base/home/me is the fake home (so base/home and base are parents of it),
// base/work the current directory, full of links into places no temp VM may see.
const base = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "vm-mounts-property-")))
const home = Path.join(base, "home", "me")
const cwd = Path.join(base, "work")
for (const dir of [
  "home/me/.ssh/inner", "home/me/.vm/temp/x", "home/me/.gnupg", "home/me/code/proj/sub",
  "work/src", "work/a:b", "work/x:ro", "work/sp ace", "work/quo'te", "work/new\nline", "work/deep/er/est"
]) Fs.mkdirSync(Path.join(base, dir), { recursive: true })
Fs.writeFileSync(Path.join(cwd, "file.txt"), "x")
/** Links whose every spelling points into a place that must be refused, with the suffixes that keep it there. */
const HOSTILE_LINKS: Record<string, { readonly to: string; readonly suffixes: ReadonlyArray<string> }> = {
  root: { to: "/", suffixes: ["", "etc", "usr", "usr/share", "etc/ssh", "home", "proc", "proc/self", "sys", "dev", "tmp", "var", "var/log", "root"] },
  etc: { to: "/etc", suffixes: ["", "ssh", "apt", "nope"] },
  "usr-share": { to: "/usr/share", suffixes: ["", "doc"] },
  ssh: { to: `${home}/.ssh`, suffixes: ["", "inner", "nope"] },
  "ssh-rel": { to: "../home/me/.ssh", suffixes: ["", "inner"] },
  "ssh-inner": { to: `${home}/.ssh/inner`, suffixes: [""] },
  gnupg: { to: `${home}/.gnupg`, suffixes: [""] },
  vm: { to: `${home}/.vm/temp`, suffixes: ["", "x"] },
  home: { to: home, suffixes: ["", ".ssh", ".ssh/inner", ".vm", ".vm/temp/x", ".gnupg"] },
  "home-parent": { to: Path.join(base, "home"), suffixes: ["", "me", "me/.ssh", "me/.gnupg"] },
  "base-link": { to: base, suffixes: ["", "home", "home/me", "home/me/.ssh"] },
  tmp: { to: Os.tmpdir(), suffixes: [""] },
  "loop-a": { to: "loop-b", suffixes: ["", "x", "x/y"] },
  "loop-b": { to: "loop-a", suffixes: ["", "x"] },
  self: { to: "self", suffixes: ["", "x"] },
  dangling: { to: Path.join(base, "nope"), suffixes: ["", "x"] },
  "dangling-rel": { to: "nope/deeper", suffixes: ["", "x"] },
  chain: { to: "ssh", suffixes: ["", "inner"] },
  "chain-root": { to: "root", suffixes: ["", "etc", "home"] },
  "file-link": { to: "file.txt", suffixes: ["", "x"] },
  "nl-link": { to: "new\nline", suffixes: [""] }
}
for (const [name, { to }] of Object.entries(HOSTILE_LINKS)) Fs.symlinkSync(to, Path.join(cwd, name))
// a link inside an acceptable project directory that leads back out into ~/.ssh
Fs.symlinkSync("../../.ssh", Path.join(home, "code", "proj", "escape"))
Fs.symlinkSync(Path.join(cwd, "src"), Path.join(cwd, "good"))
Fs.symlinkSync(Path.join(home, "code"), Path.join(cwd, "code-link"))
// the real file system, built once for every case
const runtime = ManagedRuntime.make(Layer.merge(NodeFileSystem.layer, NodePath.layer))
afterAll(async () => {
  await runtime.dispose()
  Fs.rmSync(base, { recursive: true, force: true })
})

// the home directory as the environment may spell it: through a symlink (/home -> /var/home), with a trailing slash
Fs.symlinkSync(home, Path.join(base, "home-alias"))
const homeSpelling = fc.constantFrom(home, Path.join(base, "home-alias"), `${home}/`, `${base}/home/./me`)
const resolve = (specs: ReadonlyArray<string>, homeAs: string = home) => {
  const context: MountContext = { cwd, home: homeAs, guestUser: "vagrant", existing: [] }
  return runtime.runPromiseExit(resolveMounts(specs, context))
}

/** Independent oracle: a real path no temp VM may mount. */
const dangerous = (real: string) =>
  real === "/" ||
  within(home, real) ||
  [".ssh", ".vm", ".gnupg"].some((s) => within(real, `${home}/${s}`)) ||
  FORBIDDEN_HOST_TREES.some((t) => within(real, t) || within(t, real)) ||
  (FORBIDDEN_HOST_EXACT as ReadonlyArray<string>).includes(real)

/** Every accepted mount: an existing real directory, safe, normalized target; no source or target twice. */
const checkAccepted = (specs: ReadonlyArray<string>, mounts: ReadonlyArray<Mount>) => {
  expect(mounts).toHaveLength(specs.length)
  for (const m of mounts) {
    expect(Fs.realpathSync.native(m.source), `${m.source} is its own real path`).toBe(m.source)
    expect(Fs.statSync(m.source).isDirectory()).toBe(true)
    expect(dangerous(m.source), `${m.source} must not be mounted`).toBe(false)
    expect(/[\x00-\x1f\x7f]/.test(m.source)).toBe(false)
    expect(normalizeGuestTarget(m.target, "vagrant")).toEqual({ ok: true, target: m.target })
  }
  expect(new Set(mounts.map((m) => m.source)).size).toBe(mounts.length)
  expect(new Set(mounts.map((m) => m.target)).size).toBe(mounts.length)
}

const refusal = (specs: ReadonlyArray<string>, exit: Exit.Exit<ReadonlyArray<Mount>, unknown>) => {
  if (Exit.isSuccess(exit)) return undefined
  // a typed failure only: never a defect or an interruption
  const failure = Cause.failureOption(exit.cause)
  expect(failure._tag, Cause.pretty(exit.cause)).toBe("Some")
  expect(Cause.isDie(exit.cause)).toBe(false)
  const e = (failure as { readonly value: { readonly _tag: string; readonly message: string } }).value
  expect(e._tag).toBe("InvalidInput")
  expect(specs.some((s) => e.message.startsWith(`mount '${s}': `)), e.message).toBe(true)
  return e
}

const hostileSource = fc
  .constantFrom(...Object.entries(HOSTILE_LINKS).flatMap(([name, { suffixes }]) => suffixes.map((s) => (s === "" ? name : `${name}/${s}`))), "code-link/proj/escape")
  // the same place spelled differently: ./x, x/, x/., x//, an absolute path through the link
  .chain((rel) => fc.constantFrom(rel, `./${rel}`, `${rel}/`, `${rel}/.`, `${rel}//`, `${cwd}/${rel}`, `${cwd}//${rel}`, `deep/../${rel}`))
const target = fc.oneof(fc.constant(""), fc.constantFrom(":/data", ":/workspace/x", ":/opt/a b", ":/srv/it's"))
const mode = fc.constantFrom("", ":ro", ":rw")

describe("property: resolveMounts in a sandbox of hostile symlinks", () => {
  it("a spec pointing into /, /etc, ~/.ssh, a parent of home, a loop or a dangling link is refused, naming it (200 cases)", async () => {
    await fc.assert(
      fc.asyncProperty(hostileSource, target, mode, homeSpelling, async (source, t, m, homeAs) => {
        const spec = `${source}${t}${m}`
        const exit = await resolve([spec], homeAs)
        expect(Exit.isSuccess(exit), `${spec} was accepted: ${JSON.stringify(Exit.isSuccess(exit) ? exit.value : null)}`).toBe(false)
        expect(refusal([spec], exit)?.message.startsWith(`mount '${spec}': `)).toBe(true)
      }),
      { seed: 0x5eed_0204, numRuns: 200 }
    )
  })

  it("a hostile spec anywhere in a batch fails the whole batch (all or nothing) (100 cases)", async () => {
    const benign = fc.constantFrom("src", "good:/g", "code-link/proj:/p", `${home}/code/proj/sub`, "a:b:/ab", "x:ro:rw", "sp ace", "quo'te:ro")
    await fc.assert(
      fc.asyncProperty(fc.array(benign, { maxLength: 3 }), hostileSource, fc.nat(3), async (ok, bad, at) => {
        const specs = [...ok.slice(0, at), bad, ...ok.slice(at)]
        const exit = await resolve(specs)
        expect(Exit.isSuccess(exit), `${JSON.stringify(specs)} was accepted`).toBe(false)
        refusal(specs, exit)
      }),
      { seed: 0x5eed_0205, numRuns: 100 }
    )
  })

  it("any spec text (with '..', links, system paths, noise): refused with an InvalidInput or mounts only safe real directories (300 cases)", async () => {
    const segment = fc.constantFrom(
      ...Object.keys(HOSTILE_LINKS), "src", "good", "code-link", "deep", "er", "est", "proj", "sub", "escape", ".", "..", "", "nope",
      "a:b", "x:ro", "sp ace", "file.txt", ".ssh", "me", "home", "etc"
    )
    const relative = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"))
    const absolute = fc.oneof(
      fc.constantFrom("/", "/etc", "/usr/share", "/proc/self", "/home", "/tmp", "/var", "/var/log", "/root", home, base, Path.join(base, "home"), Os.tmpdir()),
      relative.map((r) => `${cwd}/${r}`),
      relative.map((r) => `${home}/${r}`)
    )
    const spec = fc.oneof(
      { arbitrary: fc.tuple(fc.oneof(relative, absolute), target, mode).map(([s, t, m]) => `${s}${t}${m}`), weight: 4 },
      { arbitrary: specText, weight: 1 }
    )
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 3 }), homeSpelling, async (specs, homeAs) => {
        const exit = await resolve(specs, homeAs)
        if (Exit.isSuccess(exit)) checkAccepted(specs, exit.value)
        else refusal(specs, exit)
      }),
      { seed: 0x5eed_0206, numRuns: 300 }
    )
  })
})
