#!/usr/bin/env node
// Runs the bundled CLI (built by `npm install`/`npm run build`). When the bundle is missing or older
// than any source file (.ts, or a guest .sh script), runs the TypeScript sources through tsx instead,
// so a stale bundle never runs.
// CommonJS: Node starts a CommonJS entry point several milliseconds sooner than an ES module.
"use strict"
const { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs")
const { createRequire, Module } = require("node:module")
const { dirname, join } = require("node:path")
const { Script } = require("node:vm")

const bundle = join(__dirname, "..", "dist", "vm.cjs")
const packages = join(__dirname, "..", "..")

const newestSource = () => {
  let newest = 0
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      // .sh: guest scripts, which the bundle reads from its own copy
      else if (entry.name.endsWith(".ts") || entry.name.endsWith(".sh")) newest = Math.max(newest, statSync(path).mtimeMs)
    }
  }
  for (const pkg of readdirSync(packages)) {
    const src = join(packages, pkg, "src")
    if (existsSync(src)) walk(src)
  }
  return newest
}

/**
 * Compiles the CommonJS bundle with V8's code cache: parsing and compiling 2 MB of JavaScript is
 * most of the start-up. The cache file starts with a stamp line (Node version, arch, bundle size and
 * mtime); any other stamp means another bundle or Node, and the cache is not used. V8 checks its own
 * version and flags too (cachedDataRejected). A missing or unusable cache is rewritten (temp file +
 * rename) when dist/ is writable; otherwise the bundle just compiles as usual.
 * VM_DEBUG_START=1 says on stderr which of these happened.
 */
const runBundle = (file) => {
  const { size, mtimeMs } = statSync(file)
  const stamp = Buffer.from(`vm-code-cache 1 ${process.version} ${process.arch} ${size} ${mtimeMs}\n`)
  const cacheFile = `${file}.v8cache`
  let cachedData
  let cache = "missing"
  try {
    const raw = readFileSync(cacheFile)
    cache = "stale"
    if (raw.subarray(0, stamp.length).equals(stamp)) cachedData = raw.subarray(stamp.length)
  } catch {
    // no cache yet
  }
  // latin1: the bundle is ASCII (the build checks), and a one-byte string skips UTF-8 decoding
  const script = new Script(Module.wrap(readFileSync(file, "latin1")), { filename: file, cachedData })
  if (cachedData !== undefined) cache = script.cachedDataRejected ? "rejected" : "used"
  if (process.env.VM_DEBUG_START === "1") process.stderr.write(`vm: code cache ${cache}\n`)
  if (cache !== "used") {
    // at exit the cache also holds the functions this run compiled
    process.once("exit", () => {
      const temp = `${cacheFile}.${process.pid}.tmp`
      try {
        writeFileSync(temp, Buffer.concat([stamp, script.createCachedData()]))
        renameSync(temp, cacheFile)
      } catch {
        // a read-only installation runs uncached
      }
    })
  }
  const module = { exports: {} }
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file))
}

if (!process.env.VM_DEV && existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) {
  runBundle(bundle)
} else {
  // the repository's tsconfig "paths" map @vm/* to the sources from any cwd (package exports name only built entry points)
  import("tsx/esm/api")
    .then(({ register }) => {
      register({ tsconfig: join(packages, "..", "tsconfig.json") })
      return import("../src/bin.ts")
    })
    .catch((e) => {
      process.stderr.write(`vm: cannot run the sources: ${e instanceof Error ? e.stack : String(e)}\n`)
      process.exit(70)
    })
}
