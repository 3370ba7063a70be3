import { describe, expect, it } from "vitest"
import type { MachinePlan } from "../../src/context/plan.js"
import { planApply } from "../../src/context/planApply.js"

const base = (provider: string): MachinePlan => ({
  provider,
  box: provider === "docker" ? null : "debian/bookworm64",
  image: provider === "docker" ? "vm-local/debian:bookworm" : null,
  createArgs: [],
  syncedFolders: [
    { source: "/home/u/p", target: "/workspace", readonly: false },
    { source: "/home/u/shared", target: "/shared", readonly: true }
  ],
  hostname: "p-dev",
  memory: 2048,
  cpus: 2,
  ports: provider === "docker" ? [] : [3000],
  environment: { A: "hash-a", B: "hash-b" },
  provision: null,
  user: null,
  renderHash: "r0"
})

type Change = (p: MachinePlan) => MachinePlan
/** Every field change, with what it needs on docker and on a hypervisor, and the reason it gives. */
const CASES: ReadonlyArray<{ name: string; change: Change; docker: string; other: string; reason: string }> = [
  { name: "box", change: (p) => ({ ...p, box: p.box === null ? null : "ubuntu/jammy64" }), docker: "none", other: "recreate", reason: "box changed (debian/bookworm64 → ubuntu/jammy64)" },
  { name: "docker image", change: (p) => ({ ...p, image: p.image === null ? null : "my/image" }), docker: "recreate", other: "none", reason: "docker image changed (vm-local/debian:bookworm → my/image)" },
  { name: "create_args", change: (p) => ({ ...p, createArgs: ["--shm-size=1g"] }), docker: "recreate", other: "recreate", reason: "docker create_args changed" },
  { name: "added folder", change: (p) => ({ ...p, syncedFolders: [...p.syncedFolders, { source: "/d", target: "/data", readonly: false }] }), docker: "recreate", other: "reload", reason: "synced folders changed (+/data)" },
  { name: "removed folder", change: (p) => ({ ...p, syncedFolders: p.syncedFolders.slice(0, 1) }), docker: "recreate", other: "reload", reason: "synced folders changed (-/shared)" },
  { name: "read-only flag", change: (p) => ({ ...p, syncedFolders: [p.syncedFolders[0]!, { ...p.syncedFolders[1]!, readonly: false }] }), docker: "recreate", other: "reload", reason: "synced folders changed (~/shared)" },
  { name: "folder source", change: (p) => ({ ...p, syncedFolders: [p.syncedFolders[0]!, { ...p.syncedFolders[1]!, source: "/elsewhere" }] }), docker: "recreate", other: "reload", reason: "synced folders changed (~/shared)" },
  { name: "hostname", change: (p) => ({ ...p, hostname: "other" }), docker: "recreate", other: "reload", reason: "hostname changed (p-dev → other)" },
  { name: "memory", change: (p) => ({ ...p, memory: 4096 }), docker: "recreate", other: "reload", reason: "memory changed (2048 MB → 4096 MB)" },
  { name: "memory unset", change: (p) => ({ ...p, memory: null }), docker: "recreate", other: "reload", reason: "memory changed (2048 MB → unset)" },
  { name: "cpus", change: (p) => ({ ...p, cpus: 4 }), docker: "recreate", other: "reload", reason: "cpus changed (2 → 4)" },
  { name: "ports", change: (p) => ({ ...p, ports: [...p.ports, 8080] }), docker: "reload", other: "reload", reason: "forwarded ports changed" },
  { name: "changed variable", change: (p) => ({ ...p, environment: { ...p.environment, A: "hash-a2" } }), docker: "reload", other: "reload", reason: "environment changed (A)" },
  { name: "added and removed variables", change: (p) => ({ ...p, environment: { A: "hash-a", C: "hash-c" } }), docker: "reload", other: "reload", reason: "environment changed (-B, +C)" },
  { name: "ssh user", change: (p) => ({ ...p, user: "dev" }), docker: "reload", other: "reload", reason: "ssh user changed (unset → dev)" },
  { name: "guest user ids", change: (p) => p.image === null ? p : { ...p, guestUser: "23456:23457" }, docker: "recreate", other: "none", reason: "guest user's uid:gid changed (the image's own → 23456:23457)" },
  { name: "anything else in the rendering", change: (p) => ({ ...p, renderHash: "r1" }), docker: "reload", other: "reload", reason: "other Vagrantfile settings changed" }
]

describe("planApply", () => {
  for (const provider of ["docker", "virtualbox", "libvirt"]) {
    describe(provider, () => {
      it("an identical plan needs nothing", () => {
        expect(planApply(base(provider), base(provider))).toEqual({ action: "none", changes: [], provision: false })
      })

      for (const c of CASES) {
        const want = provider === "docker" ? c.docker : c.other
        it(`${c.name} → ${want}`, () => {
          const current = { ...c.change(base(provider)), renderHash: c.name.startsWith("anything") ? "r1" : "r0" }
          const plan = planApply(base(provider), current)
          expect(plan.action).toBe(want)
          if (want === "none") expect(plan.changes).toEqual([])
          else expect(plan.changes).toEqual([{ reason: c.reason, action: want }])
          expect(plan.provision).toBe(false)
        })
      }

      it("a render-only difference is not reported when a named change explains it", () => {
        const plan = planApply(base(provider), { ...base(provider), hostname: "x", renderHash: "r1" })
        expect(plan.changes.map((c) => c.reason)).toEqual(["hostname changed (p-dev → x)"])
      })

      it("a new or changed provision script reloads with --provision", () => {
        for (const [before, after] of [[null, "h1"], ["h1", "h2"]] as const) {
          const plan = planApply({ ...base(provider), provision: before }, { ...base(provider), provision: after })
          expect(plan).toEqual({ action: "reload", changes: [{ reason: "provision script changed (it runs again)", action: "reload" }], provision: true })
        }
      })

      it("a removed provision script reloads without --provision", () => {
        const plan = planApply({ ...base(provider), provision: "h1" }, base(provider))
        expect(plan).toEqual({ action: "reload", changes: [{ reason: "provision script removed", action: "reload" }], provision: false })
      })

      it("several changes: the strongest action wins and every reason is listed in order", () => {
        const current = { ...base(provider), environment: { A: "x", B: "hash-b" }, cpus: 8, syncedFolders: [...base(provider).syncedFolders, { source: "/d", target: "/data/", readonly: false }] }
        const plan = planApply(base(provider), current)
        const strong = provider === "docker" ? "recreate" : "reload"
        expect(plan.action).toBe(strong)
        expect(plan.changes).toEqual([
          { reason: "synced folders changed (+/data)", action: strong },
          { reason: "cpus changed (2 → 8)", action: strong },
          { reason: "environment changed (A)", action: "reload" }
        ])
      })
    })
  }

  it("a folder target with a trailing slash is the same folder", () => {
    const before = base("docker")
    const current = { ...before, syncedFolders: [before.syncedFolders[0]!, { ...before.syncedFolders[1]!, target: "/shared/" }] }
    expect(planApply(before, current).action).toBe("none")
  })

  it("a provider switch recreates, whatever else changed", () => {
    const plan = planApply(base("virtualbox"), { ...base("docker"), memory: 1 })
    expect(plan).toEqual({ action: "recreate", changes: [{ reason: "provider changed (virtualbox → docker)", action: "recreate" }], provision: false })
  })

  it("no record of the booted plan: reload (never recreate on a guess)", () => {
    expect(planApply(undefined, base("docker"))).toEqual({
      action: "reload",
      changes: [{ reason: "no record of the configuration it last booted with", action: "reload" }],
      provision: false
    })
  })

  describe("guest user ids (docker: given to the guest user when the container is created)", () => {
    const docker = base("docker")
    it.each([
      ["a machine from before vm gave them (no field), host user root", docker, { ...docker, guestUser: "0:0" }, "the image's own → 0:0"],
      ["another host user", { ...docker, guestUser: "0:0" }, { ...docker, guestUser: "4294967294:5" }, "0:0 → 4294967294:5"],
      ["back to the image's own ids (host user 1000:1000)", { ...docker, guestUser: "0:0" }, docker, "0:0 → the image's own"]
    ])("%s: recreate", (_name, booted, current, arrows) => {
      expect(planApply(booted, current)).toEqual({
        action: "recreate",
        changes: [{ reason: `guest user's uid:gid changed (${arrows})`, action: "recreate" }],
        provision: false
      })
    })

    it("the same ids, or none on either side: nothing to do", () => {
      expect(planApply({ ...docker, guestUser: "0:0" }, { ...docker, guestUser: "0:0" }).action).toBe("none")
      expect(planApply(docker, docker).action).toBe("none")
    })
  })

  it("environment values never appear in a reason", () => {
    const plan = planApply(base("docker"), { ...base("docker"), environment: { A: "s3cr3t-hash", B: "hash-b" } })
    expect(JSON.stringify(plan)).not.toContain("s3cr3t")
  })
})
