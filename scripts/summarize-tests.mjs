#!/usr/bin/env node
// Summarize a vitest JSON report (--reporter=json --outputFile=FILE).
//
//   node scripts/summarize-tests.mjs FILE
//
// Prints per-project counts, then, as the LAST line alone:
//   "N passed, N failed"  (", N skipped" appended only when N > 0)
// Exits non-zero when
//   - any test failed, or a test file failed without a failing test (import/hook error;
//     each such file counts as one failure),
//   - the e2e project (test files under <repo>/test/) executed zero test cases,
//   - CI=true and the fullvm project (test/fullvm/, real VMs through vagrant-libvirt) executed none,
//   - CI=true and any e2e or fullvm test was skipped (skip/todo),
//   - the report is missing or unreadable (counted as one failure).
// The JSON report carries no project names; files are classified by path, matching
// vitest.config.ts: packages/*/test/** -> unit, test/fullvm/** -> fullvm, test/** -> e2e.
import { readFileSync } from "node:fs"
import { dirname, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const ci = process.env.CI === "true"
const file = process.argv[2]

function finish(passed, failed, skipped, problems) {
  for (const p of problems) console.log(`PROBLEM: ${p}`)
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
  process.exit(failed > 0 || problems.length > 0 ? 1 : 0)
}

let report
try {
  if (!file) throw new Error("usage: summarize-tests.mjs <vitest-json-report>")
  report = JSON.parse(readFileSync(file, "utf8"))
  if (!Array.isArray(report.testResults)) throw new Error("no testResults array in the report")
} catch (err) {
  console.log(`summarize-tests: cannot read the vitest JSON report ${file ?? ""}: ${err.message}`)
  finish(0, 1, 0, ["no usable test report (vitest crashed before reporting?)"])
}

const projectOf = (abs) => {
  const rel = relative(repoRoot, abs).split(sep).join("/")
  if (rel.startsWith("test/fullvm/")) return "fullvm"
  if (rel.startsWith("test/")) return "e2e"
  if (/^packages\/[^/]+\/test\//.test(rel)) return "unit"
  return "other"
}

const projects = new Map()
const stats = (name) => {
  let s = projects.get(name)
  if (!s) {
    s = { files: 0, passed: 0, failed: 0, skipped: 0, brokenFiles: [], failedTests: [], skippedTests: [], skippedPerFile: new Map() }
    projects.set(name, s)
  }
  return s
}

for (const f of report.testResults) {
  const project = projectOf(f.name)
  const s = stats(project)
  const rel = relative(repoRoot, f.name)
  s.files++
  let failedHere = 0
  for (const t of f.assertionResults ?? []) {
    if (t.status === "passed") s.passed++
    else if (t.status === "failed") {
      s.failed++
      failedHere++
      s.failedTests.push(`${rel} > ${t.fullName}`)
    } else {
      s.skipped++
      s.skippedTests.push(`${rel} > ${t.fullName} (${t.status})`)
      s.skippedPerFile.set(rel, (s.skippedPerFile.get(rel) ?? 0) + 1)
    }
  }
  if (f.status === "failed" && failedHere === 0) {
    s.failed++
    s.brokenFiles.push(`${rel}: ${(f.message || "file failed (import, hook or suite error)").split("\n")[0]}`)
  }
}

const problems = []
let passed = 0
let failed = 0
let skipped = 0
console.log("")
console.log("Test summary")
const REAL = ["e2e", "fullvm"]
for (const name of ["unit", ...REAL, ...[...projects.keys()].filter((n) => n !== "unit" && !REAL.includes(n))]) {
  const s = projects.get(name) ?? stats(name)
  passed += s.passed
  failed += s.failed
  skipped += s.skipped
  console.log(
    `  ${name.padEnd(6)} ${String(s.files).padStart(3)} files: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`
  )
  for (const b of s.brokenFiles) console.log(`    FILE FAILED  ${b}`)
  for (const t of s.failedTests) console.log(`    FAILED       ${t}`)
  if (REAL.includes(name)) {
    if (s.skippedTests.length <= 10) for (const t of s.skippedTests) console.log(`    SKIPPED      ${t}`)
    else for (const [f, n] of s.skippedPerFile) console.log(`    SKIPPED      ${f}: ${n} test(s)`)
  }
}

const executed = (name) => {
  const s = projects.get(name)
  return s ? s.passed + s.failed - s.brokenFiles.length : 0
}
if (executed("e2e") === 0) {
  problems.push(
    "the e2e project (test/**/*.test.ts) executed zero test cases: the real-Vagrant suite did NOT run " +
      "(set up the host with: sudo bash scripts/setup-host.sh)"
  )
}
// the full-VM tier needs QEMU + vagrant-libvirt: always in CI, on a developer machine after VM_FULL_VMS=1 set-up
if (ci && executed("fullvm") === 0) {
  problems.push(
    "CI=true but the full-VM project (test/fullvm/**) executed zero test cases: the real-VM tier did NOT run " +
      "(set up with: VM_FULL_VMS=1 bash scripts/setup-host.sh)"
  )
}
for (const name of REAL) {
  const s = projects.get(name)
  if (ci && s && s.skipped > 0) problems.push(`CI=true but ${s.skipped} ${name} test(s) were skipped; they must run in CI`)
}

finish(passed, failed, skipped, problems)
