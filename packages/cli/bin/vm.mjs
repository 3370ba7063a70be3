#!/usr/bin/env node
// Runs the bundled CLI (built by `npm install`/`npm run build`). When the bundle is missing or older
// than any source file (.ts, or a guest .sh script), runs the TypeScript sources through tsx instead,
// so a stale bundle never runs.
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const bundle = join(here, "..", "dist", "vm.mjs")
const packages = join(here, "..", "..")

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

if (!process.env.VM_DEV && existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource()) {
  await import(bundle)
} else {
  const { register } = await import("tsx/esm/api")
  // the repository's tsconfig "paths" map @vm/* to the sources from any cwd (package exports name only built entry points)
  register({ tsconfig: join(packages, "..", "tsconfig.json") })
  await import("../src/bin.ts")
}
