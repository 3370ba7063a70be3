/**
 * Property: whatever a vm.yaml or ~/.vm/config.yaml contains, decoding gives either the config or
 * one ConfigInvalid whose message is a single line naming the file; it never throws and stays fast.
 * Inputs are random mutations of valid files: keys deleted, duplicated or retyped, aliases and
 * anchors injected, random bytes, deep nesting, huge numbers, non-string keys, tags.
 */
import { Either, FastCheck as fc } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import * as Yaml from "yaml"
import { decodeGlobalConfig, decodeProjectConfig } from "../../src/config/decode.js"
import type { ConfigInvalid } from "../../src/errors.js"

const RUNS = 80

const PROJECT_FILE = "/p/it's a \"dir\"/vm.yaml"
const GLOBAL_FILE = "/h/.vm/config.yaml"

const VALID_PROJECT = {
  project: { name: "shop-api", hostname: "dev.shop-api.local", workspace_path: "/workspace" },
  vm: { box: "ubuntu/jammy64", memory: 4096, cpus: 2, user: "developer", port_binding: "127.0.0.1", gui: false },
  ports: { web: 3000, _range: [3100, 3109] },
  services: { postgresql: { enabled: true, port: 5432, process: "postgres" }, redis: { enabled: false } },
  environment: { NODE_ENV: "development", DEBUG: 1, FLAG: true },
  provision: { inline: "echo hi", privileged: false },
  synced_folders: [{ source: "./data", target: "/data", readonly: true }],
  vagrant: {
    provider: "libvirt",
    docker: { image: "debian:12", create_args: ["--cap-add", "NET_ADMIN"] },
    libvirt: { driver: "kvm", networking: "user", synced_folder_type: "9p", kernel: "/boot/vmlinuz" },
    vmware_desktop: { vmx: { memsize: "1024" } },
    boot_timeout: 600
  }
}

const VALID_GLOBAL = {
  defaults: { provider: "docker", memory: "unlimited", cpus: 4, box: "debian/bookworm64", user: "vagrant" },
  environment: { EDITOR: "vim" },
  registries: { npm: "http://npm.local", pip: "http://pip.local", pip_trusted_host: "pip.local" },
  synced_folders: [{ source: "~/cache", target: "/cache" }],
  docker: { image: "debian:12" },
  libvirt: { uri: "qemu:///session", networking: "user" },
  timeouts: { vagrant_up: 900, ssh: 30 },
  status: { cache_seconds: 5 }
}

// ---- structural mutations of the parsed data ------------------------------------------------

type Data = null | boolean | number | string | Array<Data> | { [key: string]: Data }

const weirdScalar: fc.Arbitrary<Data> = fc.oneof(
  fc.constantFrom<Data>(
    0, -1, 0.5, 1e308, -1e308, 2 ** 53 + 2, 65536, 127, 1e21, Number.MIN_VALUE, "", "unlimited", "virtualbox", "/abs", "rel",
    "a\nb", "\0", "\u0085", "yes", "no", "on", "~", "null", "1e400", "0x10", ".inf", "*alias", "&anchor", "!!binary", "- x", "{a: 1}",
    "é😀", "'", "\"", "#", ": ", "\t"
  ),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null)
)
const { data: weirdData } = fc.letrec<{ data: Data }>((tie) => ({
  data: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    weirdScalar,
    fc.array(tie("data"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.constantFrom("project", "name", "vm", "__proto__", "constructor", "_range", "1BAD", "")), tie("data"), {
      maxKeys: 4,
      noNullPrototype: true
    })
  )
}))

type Path = ReadonlyArray<string | number>

/** Every path to a value inside `data`, the root included. */
const pathsOf = (data: Data, at: Path = []): Array<Path> => {
  const here = [at]
  if (Array.isArray(data)) return here.concat(...data.map((x, i) => pathsOf(x, [...at, i])))
  if (data !== null && typeof data === "object") return here.concat(...Object.entries(data).map(([k, x]) => pathsOf(x, [...at, k])))
  return here
}

type StructuralOp =
  | { readonly kind: "delete"; readonly pick: number }
  | { readonly kind: "retype"; readonly pick: number; readonly value: Data }
  | { readonly kind: "add"; readonly pick: number; readonly key: string; readonly value: Data }

const structuralOp: fc.Arbitrary<StructuralOp> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("retype" as const), pick: fc.nat(), value: weirdData }),
  fc.record({
    kind: fc.constant("add" as const),
    pick: fc.nat(),
    key: fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom("memory", "name", "environment", "A B", "__proto__", "a\nb")),
    value: weirdData
  })
)

const applyStructural = (root: Data, op: StructuralOp): Data => {
  const paths = pathsOf(root)
  const path = paths[op.pick % paths.length]!
  if (path.length === 0) return op.kind === "retype" ? op.value : root
  const parentPath = path.slice(0, -1)
  let parent: Data = root
  for (const step of parentPath) parent = (parent as Record<string | number, Data>)[step]!
  const last = path[path.length - 1]!
  const container = parent as Record<string | number, Data> & Array<Data>
  if (op.kind === "delete") {
    if (Array.isArray(container)) container.splice(last as number, 1)
    else delete container[last]
  } else if (op.kind === "retype") {
    container[last] = op.value
  } else {
    const target = container[last]
    if (target !== null && typeof target === "object" && !Array.isArray(target)) {
      Object.defineProperty(target, op.key, { value: op.value, enumerable: true, writable: true, configurable: true })
    } else container[last] = { [op.key]: op.value }
  }
  return root
}

// ---- text mutations of the YAML ------------------------------------------------------------

/**
 * Flow nesting up to this depth here (a few ms each, and short of the yaml library's stack overflow);
 * deeper nesting is refused before parsing (see the regression test below).
 */
const MAX_FLOW_DEPTH = 200
const nested = (depth: number, open: string, close: string, inner = "x") => `${open.repeat(depth)}${inner}${close.repeat(depth)}`
const hugeNumber = fc.constantFrom(
  "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "0x" + "f".repeat(40), "0o" + "7".repeat(40), ".inf", "-.inf", ".nan",
  "9007199254740993", "65536", "0", "-0", "1_000", "0b1010", "1:30"
)
const fragment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "*a", "&a ", "&a [x, y]", "<<: *a\n", "<<: {memory: 512}\n", "? [a, b]\n: c\n", "? {a: 1}\n: x\n", "1: x\n", "true: x\n", "null: x\n",
    "~: x\n", "[1, 2]: x\n", "{", "}", "[", "]", "\t", "---\n", "...\n", "%YAML 1.1\n---\n", "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]",
    "!!timestamp 2001-12-14", "!custom x", "!!str", "!!int x", "!!float 1", "\"\\u0000\"", "\"\\x00\"", "'\0'", "\0", "\ufeff", "\r", "\r\n",
    "\u2028", "\u0085", "# c\n", "- ", ": ", "project: {name: x}\n", "project:\n  name: x\n", "  ", "\n    deep: [", "\\", "\"", "'",
    "project: *p\n", "a: &p {name: x}\n", "__proto__: {project: {name: x}}\n", "vm: {__proto__: {memory: 1}}\n"
  ),
  hugeNumber.map((n) => `memory: ${n}\n`),
  hugeNumber.map((n) => ` ${n}`),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.uint8Array({ maxLength: 12 }).map((bytes) => String.fromCharCode(...bytes)),
  fc.integer({ min: 1, max: MAX_FLOW_DEPTH }).map((d) => `deep: ${nested(d, "[", "]")}\n`),
  fc.integer({ min: 1, max: MAX_FLOW_DEPTH }).map((d) => `deep: ${nested(d, "{a: ", "}")}\n`),
  fc.integer({ min: 1, max: MAX_FLOW_DEPTH }).map((d) => `deep: ${"[".repeat(d)}\n`),
  fc.integer({ min: 1, max: 120 }).map((d) => `deep:\n${Array.from({ length: d }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} x\n`),
  fc.integer({ min: 1, max: 120 }).map((d) => `deep:\n${Array.from({ length: d }, (_, i) => `${"  ".repeat(i)}-`).join("\n")} x\n`),
  fc.integer({ min: 1, max: 120 }).map((n) => `anchors:\n${Array.from({ length: n }, (_, i) => `  a${i}: &a${i} [${i === 0 ? "x" : `*a${i - 1}, *a${i - 1}`}]`).join("\n")}\n`)
)

type TextOp =
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "duplicateLine"; readonly at: number }
  | { readonly kind: "deleteLine"; readonly at: number }
  | { readonly kind: "truncate"; readonly at: number }

const position = fc.double({ min: 0, max: 1, noNaN: true })
const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("insert" as const), at: position, text: fragment }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant("duplicateLine" as const), at: position }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("deleteLine" as const), at: position }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: position }), weight: 1 }
)

const applyText = (text: string, op: TextOp): string => {
  if (op.kind === "insert") {
    const at = Math.floor(op.at * text.length)
    return `${text.slice(0, at)}${op.text}${text.slice(at)}`
  }
  if (op.kind === "truncate") return text.slice(0, Math.floor(op.at * text.length))
  const lines = text.split("\n")
  const at = Math.min(lines.length - 1, Math.floor(op.at * lines.length))
  if (op.kind === "duplicateLine") lines.splice(at, 0, lines[at]!)
  else lines.splice(at, 1)
  return lines.join("\n")
}

const stringify = (data: Data, flow: boolean): string => {
  try {
    return Yaml.stringify(data, flow ? { collectionStyle: "flow" } : {})
  } catch {
    // data the YAML writer itself cannot print is no input a person could have written
    return Yaml.stringify(JSON.parse(JSON.stringify(data)) as unknown)
  }
}

const mutatedFile = (base: Data) =>
  fc
    .record({
      structural: fc.array(structuralOp, { maxLength: 3 }),
      flow: fc.boolean(),
      text: fc.array(textOp, { maxLength: 3 })
    })
    .map(({ flow, structural, text }) => {
      const data = structural.reduce(applyStructural, structuredClone(base))
      return text.reduce(applyText, stringify(data, flow))
    })

/** Right(config), or Left(ConfigInvalid) with a one-line message naming `file`; in < 200 ms; no throw. */
const checkDecode = (decode: (text: string, file: string) => Either.Either<unknown, ConfigInvalid>, text: string, file: string) => {
  const started = performance.now()
  let result: Either.Either<unknown, ConfigInvalid>
  try {
    result = decode(text, file)
  } catch (e) {
    throw new Error(`decode threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} on ${JSON.stringify(text.slice(0, 300))}`)
  }
  const elapsed = performance.now() - started
  if (elapsed >= 200) throw new Error(`decode took ${elapsed.toFixed(0)} ms on ${JSON.stringify(text.slice(0, 300))}`)
  if (Either.isRight(result)) return true
  const e = result.left
  // a key holding a line break is escaped in the message (see the regression test below)
  const oneLine = !/[\r\n]/.test(e.message)
  return e._tag === "ConfigInvalid" && e.file === file && e.message.includes(file) && oneLine
}

// the yaml library warns through process.emitWarning about collection keys (`? [a, b]`); keep the run silent
beforeAll(() => {
  vi.spyOn(process, "emitWarning").mockImplementation(() => undefined)
})
afterAll(() => {
  vi.restoreAllMocks()
})

describe("property: config decoding never throws", () => {
  it("the valid files decode (the mutations start from configs that are accepted)", () => {
    expect(Either.isRight(decodeProjectConfig(Yaml.stringify(VALID_PROJECT), PROJECT_FILE))).toBe(true)
    expect(Either.isRight(decodeGlobalConfig(Yaml.stringify(VALID_GLOBAL), GLOBAL_FILE))).toBe(true)
  })

  it(`mutated vm.yaml: the config or one ConfigInvalid line naming the file, each in < 200 ms (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(mutatedFile(VALID_PROJECT), (text) => checkDecode(decodeProjectConfig, text, PROJECT_FILE)),
      { seed: 0x5eed_0301, numRuns: RUNS }
    )
  })

  it(`mutated ~/.vm/config.yaml: the config or one ConfigInvalid line naming the file, each in < 200 ms (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(mutatedFile(VALID_GLOBAL), (text) => checkDecode(decodeGlobalConfig, text, GLOBAL_FILE)),
      { seed: 0x5eed_0302, numRuns: RUNS }
    )
  })

  it(`arbitrary text (any code points, random bytes) as either file (${RUNS} cases)`, () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 6 }).map((parts) => parts.join("")), (text) =>
        checkDecode(decodeProjectConfig, text, PROJECT_FILE) && checkDecode(decodeGlobalConfig, text, GLOBAL_FILE)),
      { seed: 0x5eed_0303, numRuns: RUNS }
    )
  })

  // The key path goes into the message unescaped, so a key with a line break (quoted "a\nb", or a
  // stray CR at the start of a line: "\rproject:") splits the one-line message, and a CR rewrites the
  // terminal line: decodeProjectConfig('project: {name: x}\nvm: {"a\\nb": 1}\n', f).left.message is
  // "invalid config f: key 'vm.a\nb': unknown key" over two lines.
  it("a key with a line break still gives a one-line ConfigInvalid message (was a defect)", () => {
    for (const text of [
      "project: {name: x}\nvm: {\"a\\nb\": 1}\n",
      "project: {name: x}\nvm: {\"a\\rb\": 1}\n",
      "\rproject: {name: x}\n",
      "project: {name: x}\nenvironment: {\"A\\nB\": 1}\n",
      "project: {name: x}\nports: {\"w\\neb\": 70000}\n"
    ]) {
      const result = decodeProjectConfig(text, PROJECT_FILE)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(result.left.message, JSON.stringify(text)).not.toMatch(/[\r\n]/)
    }
  })

  // Deep flow nesting within the 128 KiB limit is only stopped by a stack overflow inside the yaml library
  // ("not valid YAML at line 1, column 790: Maximum call stack size exceeded"), and at that depth V8 may
  // tier up one of the lexer's regular expressions: the process dies with "FATAL ERROR: RegExpCompiler
  // Allocation failed - process out of memory", which no try/catch sees. Reproduced in plain node with the
  // bundled decode.ts: decodeProjectConfig of `deep: ${"[".repeat(1000)}x${"]".repeat(1000)}` and then of the
  // same at 20 000 levels kills the process (a single decode usually survives). Even without the crash,
  // 2 000 levels of `{a: ` or 20 000 of `[` take 100-300 ms. Correct code refuses such nesting quickly.
  // WARNING: while the defect is present, running this test kills the vitest worker.
  it("deep flow nesting (up to 60 000 levels) is a quick one-line ConfigInvalid, never a crash (was a defect)", () => {
    for (const depth of [1_000, 5_000, 20_000, 60_000]) {
      for (const text of [`deep: ${nested(depth, "[", "]")}\n`, `deep: ${nested(Math.floor(depth / 10), "{a: ", "}")}\n`]) {
        const started = performance.now()
        const result = decodeProjectConfig(text, PROJECT_FILE)
        expect(performance.now() - started).toBeLessThan(200)
        expect(Either.isLeft(result) && result.left.message.split("\n")).toHaveLength(1)
      }
    }
  })
})
