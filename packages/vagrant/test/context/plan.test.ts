import { describe, expect, it } from "vitest"
import { machinePlan } from "../../src/context/plan.js"
import { globalConfig, machine, project, renderInput } from "../render/fixtures.js"

import { sha256 as sha } from "../../src/hash.js"

describe("machinePlan", () => {
  it("docker: image, create_args (user defaults first), folders, no box and no ports", () => {
    const input = renderInput("docker", {
      config: project({
        vagrant: { docker: { create_args: ["--shm-size=1g"] } },
        ports: { web: 3000 },
        synced_folders: [{ source: "data", target: "/data", readonly: true }]
      }),
      global: globalConfig({ docker: { create_args: ["--init"] }, defaults: { memory: 1024, cpus: 3 } })
    })
    const plan = machinePlan(input, input.machines[0]!)
    expect(plan).toMatchObject({
      provider: "docker",
      box: null,
      image: "vm-local/debian:bookworm",
      createArgs: ["--init", "--shm-size=1g"],
      syncedFolders: [
        { source: "/home/u/demo", target: "/workspace", readonly: false },
        { source: "/home/u/demo/data", target: "/data", readonly: true }
      ],
      hostname: "dev",
      memory: 1024,
      cpus: 3,
      ports: [],
      provision: null,
      user: null
    })
  })

  it("hypervisor: box and memory from the user's defaults, the project wins; forwarded ports", () => {
    const input = renderInput("virtualbox", {
      config: project({ vm: { memory: 4096 }, ports: { web: 3000, _range: [3100, 3101] } }),
      global: globalConfig({ defaults: { box: "ubuntu/jammy64", memory: 1024, user: "dev" } })
    })
    expect(machinePlan(input, input.machines[0]!)).toMatchObject({
      box: "ubuntu/jammy64",
      image: null,
      createArgs: [],
      memory: 4096,
      cpus: null,
      ports: [3000, 3100, 3101],
      user: "dev"
    })
  })

  it("environment (with registries) and provision are stored as hashes, never as values", () => {
    const input = renderInput("docker", {
      config: project({ environment: { TOKEN: "s3cr3t" }, provision: "echo s3cr3t-script" }),
      global: globalConfig({ registries: { npm: "http://127.0.0.1:4873" } })
    })
    const plan = machinePlan(input, input.machines[0]!)
    expect(plan.environment).toEqual({ TOKEN: sha("s3cr3t"), NPM_CONFIG_REGISTRY: sha("http://127.0.0.1:4873") })
    expect(plan.provision).toMatch(/^[0-9a-f]{64}$/)
    expect(JSON.stringify(plan)).not.toContain("s3cr3t")
  })

  it("a machine's plan ignores the other machines of the project", () => {
    const one = renderInput("docker")
    const two = renderInput("docker", { machines: [...one.machines, machine("second", 22902)] })
    expect(machinePlan(two, two.machines[0]!)).toEqual(machinePlan(one, one.machines[0]!))
  })

  it("the render hash catches settings the plan does not name (boot_timeout)", () => {
    const a = renderInput("docker")
    const b = renderInput("docker", { config: project({ vagrant: { boot_timeout: 30 } }) })
    const pa = machinePlan(a, a.machines[0]!)
    const pb = machinePlan(b, b.machines[0]!)
    expect({ ...pb, renderHash: "" }).toEqual({ ...pa, renderHash: "" })
    expect(pb.renderHash).not.toBe(pa.renderHash)
  })

  it("tool-managed folders (temp VMs) are part of the plan", () => {
    const input = renderInput("docker", { extraSyncedFolders: [{ source: "/tmp/x", target: "/mnt/x" }] })
    expect(machinePlan(input, input.machines[0]!).syncedFolders.map((f) => f.target)).toEqual(["/workspace", "/mnt/x"])
  })
})
