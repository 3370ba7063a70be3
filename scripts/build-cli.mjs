// Bundles the CLI into one file: loading Effect's module barrels through tsx takes seconds,
// a tree-shaken bundle loads in a fraction of that. Runs on `npm install` (prepare) and before tests.
import { build } from "esbuild"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const started = Date.now()
await build({
  entryPoints: [`${root}packages/cli/src/bin.ts`],
  outfile: `${root}packages/cli/dist/vm.mjs`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifySyntax: true,
  treeShaking: true,
  legalComments: "none",
  logLevel: "warning",
  // some dependencies still call require() for Node built-ins
  banner: { js: "import { createRequire as __vmCreateRequire } from 'node:module'; const require = __vmCreateRequire(import.meta.url);" }
})
process.stderr.write(`built packages/cli/dist/vm.mjs in ${Date.now() - started} ms\n`)
