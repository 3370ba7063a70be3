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
