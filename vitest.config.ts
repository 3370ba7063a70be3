import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts"],
          testTimeout: 30_000
        }
      },
      {
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
        test: {
          // real full VMs: QEMU (TCG) through vagrant-libvirt, one at a time
          name: "fullvm",
          include: ["test/fullvm/**/*.test.ts"],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          poolOptions: { forks: { singleFork: true } }
        }
      }
    ]
  }
})
