/**
 * Properties of the parsers of external tools' output (vagrant --machine-readable, ssh-config,
 * VBoxManage showvminfo, vmrun list, virsh domstate, docker inspect, guest/metrics.sh):
 * - no input text makes any of them throw (or die, for the Effect ones);
 * - CRLF line endings give the same result as LF, for every recorded fixture and for arbitrary text;
 * - VBoxManage's `--machinereadable` escaping is inverted exactly for any key/value map.
 */
import { Cause, Effect, Either, Exit, FastCheck as fc } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { describe, expect, it } from "vitest"
import { parseVBoxInfo, readVBoxInfo } from "../../src/hypervisors/vboxInfo.js"
import { vagrantDomState } from "../../src/hypervisors/Virsh.js"
import { parseVmrunList } from "../../src/hypervisors/Vmrun.js"
import { parseGlobalStatus, parseMachineReadable, parseStatus } from "../../src/machineReadable.js"
import { parseDockerStates } from "../../src/providers/docker.js"
import { parseSshConfig } from "../../src/sshConfig.js"
import { decodeGuestMetrics } from "../../src/status/guestMetrics.js"
import * as DockerFixtures from "../../src/testing/fixtures/docker.js"
import * as HypervFixtures from "../../src/testing/fixtures/hyperv.js"
import * as PrlctlFixtures from "../../src/testing/fixtures/prlctl.js"
import * as VagrantFixtures from "../../src/testing/fixtures/vagrant.js"
import * as VBoxFixtures from "../../src/testing/fixtures/vboxmanage.js"
import * as VirshFixtures from "../../src/testing/fixtures/virsh.js"
import * as VmrunFixtures from "../../src/testing/fixtures/vmrun.js"
import { vboxString } from "../../src/testing/vboxOutput.js"

// ---- every parser, as one function of the text to a comparable result ----------------------

const eitherResult = <A>(result: Either.Either<A, { readonly reason: string }>) =>
  Either.isRight(result) ? { right: result.right } : { left: result.left.reason }

/** An Effect parser's result; a defect (or anything but its typed failure) is an error of the test. */
const effectResult = <A>(effect: Effect.Effect<A, { readonly _tag: string; readonly reason: string }>) => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return { right: exit.value }
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`not a typed failure: ${Cause.pretty(exit.cause)}`)
  if (failure.value._tag !== "ParseFailed") throw new Error(`unexpected failure ${failure.value._tag}`)
  return { left: failure.value.reason }
}

/** Ids a docker query may ask for in `text`: its lines' first words, a prefix of each, and one unknown id. */
const dockerQueries = (text: string) => {
  const words = text.split(/\r?\n/).map((l) => l.split(" ")[0]!).filter((w) => w !== "").slice(0, 3)
  return [...words, ...words.map((w) => w.slice(0, 12)), "deadbeef0000", ""].map((id, i) => ({ machine: `m${i}`, id }))
}

const PARSERS: Record<string, (text: string) => unknown> = {
  parseMachineReadable,
  parseStatus: (t) => eitherResult(parseStatus(t)),
  parseGlobalStatus: (t) => eitherResult(parseGlobalStatus(t)),
  parseSshConfig,
  parseVBoxInfo,
  readVBoxInfo: (t) => effectResult(readVBoxInfo(t)),
  parseVmrunList,
  vagrantDomState,
  // stdout and stderr both carry the text: each is read on its own
  parseDockerStates: (t) => parseDockerStates(t, t, dockerQueries(t.replace(/\r\n/g, "\n"))),
  decodeGuestMetrics: (t) => effectResult(decodeGuestMetrics(t))
}

const runAll = (text: string) => Object.fromEntries(Object.entries(PARSERS).map(([name, parse]) => [name, parse(text)]))

const crlf = (lf: string) => lf.replace(/\n/g, "\r\n")

// ---- the recorded outputs ---------------------------------------------------------------------

/** Every string inside the fixture modules (CliRun stdout/stderr, line arrays, escaped values). */
const strings = (value: unknown): Array<string> =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
    ? value.flatMap(strings)
    : value !== null && typeof value === "object"
    ? Object.values(value).flatMap(strings)
    : []

const fixtureDir = new URL("../fixtures/", import.meta.url)
const fileFixtures = (dir: URL): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? fileFixtures(new URL(`${entry.name}/`, dir))
      : [Fs.readFileSync(Path.join(dir.pathname, entry.name), "utf8")]
  )

const FIXTURES = [
  ...new Set([
    ...[DockerFixtures, HypervFixtures, PrlctlFixtures, VagrantFixtures, VBoxFixtures, VirshFixtures, VmrunFixtures].flatMap(strings),
    ...fileFixtures(fixtureDir)
  ])
]
  .map((s) => s.replace(/\r\n/g, "\n"))
  .filter((s) => s.includes("\n"))

// ---- arbitrary text ---------------------------------------------------------------------------

const FIXTURE_LINES = [...new Set(FIXTURES.flatMap((f) => f.split("\n")))]
const TEXT_FRAGMENTS = [
  ",", ",,", "1583408799,default,state,running", "1,,metadata,machine-count,2", "%!(VAGRANT_COMMA)", "\\n", "\\r", "\n", " ", "\t",
  "Host ", "Host=", "  IdentityFile ", "\"", "\"\"", "\\\"", "\\\\", "=", "\"key\"=", "VMState=", "VMState=\"running\"", "name=\"<inaccessible>\"",
  "SharedFolderNameMachineMapping1=\"x\"", "SharedFolderPathTransientMapping2=\"/p\"", "Total running VMs: 1", "shut off", "in shutdown",
  "{", "}", "{\"Status\":\"running\"}", "abc {\"Status\":\"paused\",\"StartedAt\":\"2024\"}", "No such container", "{\"version\":1",
  "null", "[]", "__proto__", "constructor", "__proto__=\"x\"", "é", "😀", "\0", "\u2028"
]
const textPart = fc.oneof(
  { arbitrary: fc.constantFrom(...FIXTURE_LINES).map((l) => `${l}\n`), weight: 3 },
  { arbitrary: fc.constantFrom(...TEXT_FRAGMENTS), weight: 3 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 8 }), weight: 1 }
)
const arbitraryText = fc.array(textPart, { maxLength: 14 }).map((parts) => parts.join(""))

describe("property: tool-output parsers", () => {
  it(`never throw on arbitrary text (${200} cases, all ${Object.keys(PARSERS).length} parsers each)`, () => {
    fc.assert(
      fc.property(fc.oneof(arbitraryText, arbitraryText.map(crlf), arbitraryText.map((t) => t.replace(/\n/g, "\r"))), (text) => {
        runAll(text)
      }),
      { seed: 0x5eed_0501, numRuns: 200 }
    )
  })

  it(`every recorded fixture (${FIXTURES.length}) reads the same with CRLF line endings as with LF`, () => {
    expect(FIXTURES.length).toBeGreaterThan(30)
    for (const lf of FIXTURES) {
      const [a, b] = [runAll(lf), runAll(crlf(lf))]
      for (const name of Object.keys(PARSERS)) expect(b[name], `${name} on ${JSON.stringify(lf.slice(0, 200))}`).toEqual(a[name])
    }
  })

  it("arbitrary text (no CR) reads the same with CRLF line endings as with LF (150 cases)", () => {
    fc.assert(
      fc.property(arbitraryText.map((t) => t.replace(/\r/g, "")), (lf) => {
        const [a, b] = [runAll(lf), runAll(crlf(lf))]
        for (const name of Object.keys(PARSERS)) expect(b[name], name).toEqual(a[name])
      }),
      { seed: 0x5eed_0502, numRuns: 150 }
    )
  })
})

// ---- VBoxManage --machinereadable, both directions ------------------------------------------------

/** Keys VBoxManage prints raw (unescaped); a copy of the reader's list, to keep generated keys off it. */
const RAW_KEY = /^(VMState|VMStateChangeTime|VMStateFile|vrdeproperty\[.*\]|(Current)?Snapshot(Name|Description|UUID)[-\d]*)$/
const BARE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_\-[\]/.]*$/

/** One `key=value` line as VBoxManage prints it: plain keys bare, others quoted; values always quoted and escaped. */
const vboxLine = (key: string, value: string) => `${BARE_KEY.test(key) ? key : vboxString(key)}=${vboxString(value)}`

const vboxValue = fc
  .array(fc.oneof(fc.constantFrom("\n", "\"", "\\", "=", "\\\"", "\"\n", "\\\n", "\n\"", " ", "key=\"v\"", "\"k\"=\"v\"", "C:\\new", ""), fc.string({ unit: "binary", maxLength: 6 })), { maxLength: 6 })
  // a CR before a line break cannot be told from a CRLF line ending; VBoxManage's values here carry none
  .map((parts) => parts.join("").replace(/[\r\0]/g, ""))
const vboxKey = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,12}$/),
    fc.string({ unit: "binary", minLength: 1, maxLength: 10 }),
    fc.constantFrom("SATA Controller-0-0", "\"quoted\"", "a=b", "back\\slash", "GuestProperty/Net/0", "storagecontrollername0")
  )
  .filter((k) => !/[\r\n\0]/.test(k) && !RAW_KEY.test(k) && k !== "__proto__")

describe("property: VBoxManage showvminfo --machinereadable", () => {
  it("any key/value map printed with VirtualBox's escaping is read back exactly (LF and CRLF) (200 cases)", () => {
    fc.assert(
      fc.property(fc.dictionary(vboxKey, vboxValue, { maxKeys: 8, noNullPrototype: true }), (map) => {
        const lf = Object.entries(map).map(([k, v]) => `${vboxLine(k, v)}\n`).join("")
        expect(parseVBoxInfo(lf)).toEqual(map)
        expect(parseVBoxInfo(crlf(lf))).toEqual(map)
      }),
      { seed: 0x5eed_0503, numRuns: 200 }
    )
  })

  it("raw keys (VMState, VMStateFile, …) keep their unescaped one-line value (100 cases)", () => {
    const rawKey = fc.constantFrom("VMState", "VMStateChangeTime", "VMStateFile", "vrdeproperty[TCP/Ports]", "SnapshotName", "CurrentSnapshotUUID", "SnapshotDescription-1-2")
    const rawValue = fc.string({ unit: "binary", maxLength: 12 }).map((v) => v.replace(/[\r\n\0]/g, ""))
    fc.assert(
      fc.property(rawKey, rawValue, fc.dictionary(vboxKey, vboxValue, { maxKeys: 3, noNullPrototype: true }), (key, value, rest) => {
        const text = `${Object.entries(rest).map(([k, v]) => `${vboxLine(k, v)}\n`).join("")}${key}="${value}"\n`
        expect(parseVBoxInfo(text)[key]).toBe(value)
      }),
      { seed: 0x5eed_0504, numRuns: 100 }
    )
  })

  it("readVBoxInfo: the state and every shared folder come back from any printed VM (100 cases)", () => {
    const folder = fc.record({ name: vboxValue.filter((v) => v !== ""), hostPath: vboxValue, transient: fc.boolean() })
    fc.assert(
      fc.property(
        fc.constantFrom("running", "poweroff", "saved", "paused", "aborted", "gurumeditation"),
        fc.array(folder, { maxLength: 4 }),
        fc.dictionary(vboxKey.filter((k) => !k.startsWith("SharedFolder") && k !== "name"), vboxValue, { maxKeys: 4, noNullPrototype: true }),
        (state, folders, other) => {
          const lines = [
            ...Object.entries(other).map(([k, v]) => vboxLine(k, v)),
            `VMState="${state}"`,
            ...folders.flatMap((f, i) => {
              const kind = f.transient ? "Transient" : "Machine"
              return [vboxLine(`SharedFolderName${kind}Mapping${i + 1}`, f.name), vboxLine(`SharedFolderPath${kind}Mapping${i + 1}`, f.hostPath)]
            })
          ]
          for (const text of [`${lines.join("\n")}\n`, `${lines.join("\r\n")}\r\n`]) {
            const info = Effect.runSync(readVBoxInfo(text))
            expect(info.state).toBe(state)
            expect(info.sharedFolders).toEqual(folders)
          }
        }
      ),
      { seed: 0x5eed_0505, numRuns: 100 }
    )
  })
})
