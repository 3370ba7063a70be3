// Bundles the CLI into one file: loading Effect's module barrels through tsx takes seconds,
// a tree-shaken bundle loads in a fraction of that. Runs on `npm install` (prepare) and before tests.
// The bundle is CommonJS so that bin/vm.cjs can compile it with a V8 code cache (node:vm's
// cachedData), which ESM cannot use on Node 20; this build writes that cache by running it once.
// Start-up evaluates only the command tree: each command's implementation is an import() that the
// bundle initialises when the command runs (packages/cli/src/lazy.ts).
import { build } from "esbuild"
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const dist = `${root}packages/cli/dist`
const started = Date.now()
// an older build's files: a bundle or cache left behind would never be used, only confuse
// (guest/: the guest scripts are embedded in the bundle now)
for (const old of ["vm.mjs", "vm.cjs.v8cache", "guest"]) rmSync(`${dist}/${old}`, { recursive: true, force: true })
await build({
  entryPoints: [`${root}packages/cli/src/bin.ts`],
  outfile: `${dist}/vm.cjs`,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  minifySyntax: true,
  // no comments, so the bundle is ASCII (esbuild escapes the rest) and the launcher reads it as latin1
  minifyWhitespace: true,
  treeShaking: true,
  legalComments: "none",
  logLevel: "warning",
  // the sources are ESM: give their import.meta.url the bundle's own URL
  define: { "import.meta.url": "__vmImportMetaUrl" },
  banner: { js: "var __vmImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" }
})
const nonAscii = readFileSync(`${dist}/vm.cjs`).findIndex((byte) => byte > 0x7f)
if (nonAscii >= 0) {
  process.stderr.write(`build-cli: the bundle has a non-ASCII byte at offset ${nonAscii}; bin/vm.cjs reads it as latin1\n`)
  process.exit(1)
}
// one run writes the code cache (bin/vm.cjs does whenever it is missing or stale and dist/ is writable)
const warm = spawnSync(process.execPath, [`${root}packages/cli/bin/vm.cjs`, "--version"], {
  encoding: "utf8",
  env: { ...process.env, VM_DEV: "" },
  timeout: 60_000
})
if (warm.status !== 0) {
  process.stderr.write(`build-cli: the built CLI does not start (exit ${warm.status}):\n${warm.stderr}\n`)
  process.exit(1)
}
process.stderr.write(`built packages/cli/dist/vm.cjs and its code cache in ${Date.now() - started} ms\n`)
