import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const packages = fileURLToPath(new URL("./packages/", import.meta.url))
/** @vm/* from the TypeScript sources, as tsconfig.json's "paths" (package.json "exports" only name the built entry points). */
const resolve = {
  alias: [
    { find: /^@vm\/(core|vagrant)$/, replacement: `${packages}$1/src/index.ts` },
    { find: /^@vm\/(core|vagrant)\/(.+)$/, replacement: `${packages}$1/src/$2.ts` }
  ]
}

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts"],
          testTimeout: 30_000
        }
      },
      {
        resolve,
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          exclude: ["test/fullvm/**"],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // real Vagrant machines share one docker daemon and two cores
          poolOptions: { forks: { singleFork: true } }
        }
      },
      {
        resolve,
        test: {
          // real full VMs: QEMU (TCG) through vagrant-libvirt, one at a time
          name: "fullvm",
          include: ["test/fullvm/**/*.test.ts"],
          // after unit and e2e: two cores cannot boot QEMU guests and docker machines at once without timeouts
          sequence: { groupOrder: 1 },
          testTimeout: 900_000,
          hookTimeout: 900_000,
          poolOptions: { forks: { singleFork: true } }
        }
      }
    ]
  }
})
