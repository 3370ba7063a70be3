import { describe, expect, it } from "vitest"
import { machinePlan } from "../../src/context/plan.js"
import type { HostUser } from "../../src/hypervisors/HostTools.js"
import { MAX_ID } from "../../src/providers/docker.js"
import { renderVagrantfile } from "../../src/render/Vagrantfile.js"
import { globalConfig, linesOf, project, providerBody, PROVIDERS, renderInput } from "./fixtures.js"

/** The `d.env` line of the docker machine rendered for this host user (and config). */
const envLine = (hostUser: HostUser | null, config = project()) =>
  providerBody(renderVagrantfile(renderInput("docker", { hostUser, config })), "dev-vm").find((l) => l.startsWith("d.env = "))

const planOf = (hostUser: HostUser | null, provider = PROVIDERS.at(-1)!, config = project()) => {
  const input = renderInput(provider, { hostUser, config })
  return machinePlan(input, input.machines[0]!)
}

describe("docker: the guest user gets the host user's uid/gid (read by the image's vm-sshd)", () => {
  it.each([
    ["root", { uid: 0, gid: 0 }, "0", "0"],
    ["a user whose uid is not 1000", { uid: 23456, gid: 23457 }, "23456", "23457"],
    ["uid 1000 in another group", { uid: 1000, gid: 100 }, "1000", "100"],
    ["another uid in group 1000", { uid: 1001, gid: 1000 }, "1001", "1000"],
    ["the largest ids Linux accepts", { uid: MAX_ID, gid: MAX_ID }, "4294967294", "4294967294"]
  ])("%s: rendered into the container environment and the plan", (_name, hostUser, uid, gid) => {
    expect(envLine(hostUser)).toBe(`d.env = { 'SSH_PORT' => '22901', 'VM_HOST_UID' => '${uid}', 'VM_HOST_GID' => '${gid}' }`)
    expect(planOf(hostUser).guestUser).toBe(`${uid}:${gid}`)
  })

  it("the image's own ids (1000:1000) render nothing: the same file and plan as before the feature", () => {
    expect(envLine({ uid: 1000, gid: 1000 })).toBe("d.env = { 'SSH_PORT' => '22901' }")
    expect(planOf({ uid: 1000, gid: 1000 })).not.toHaveProperty("guestUser")
  })

  it("a host without POSIX ids (Windows) renders nothing", () => {
    expect(envLine(null)).toBe("d.env = { 'SSH_PORT' => '22901' }")
    expect(planOf(null)).not.toHaveProperty("guestUser")
  })

  it("another image (its entrypoint knows nothing of the ids) renders nothing", () => {
    for (const config of [project({ vagrant: { docker: { image: "mine:1" } } })]) {
      expect(envLine({ uid: 0, gid: 0 }, config)).toBe("d.env = { 'SSH_PORT' => '22901' }")
      expect(planOf({ uid: 0, gid: 0 }, "docker", config)).not.toHaveProperty("guestUser")
    }
    const fromUser = renderVagrantfile(renderInput("docker", { hostUser: { uid: 0, gid: 0 }, global: globalConfig({ docker: { image: "theirs:2" } }) }))
    expect(fromUser).not.toContain("VM_HOST_UID")
  })

  it("the default image named explicitly still gets the ids", () => {
    expect(envLine({ uid: 0, gid: 0 }, project({ vagrant: { docker: { image: "vm-local/debian:bookworm" } } }))).toContain("'VM_HOST_UID' => '0'")
  })

  it.each([
    ["uid (uid_t)-1", { uid: MAX_ID + 1, gid: 0 }],
    ["negative gid", { uid: 0, gid: -1 }],
    ["fractional uid", { uid: 1.5, gid: 0 }],
    ["NaN gid", { uid: 0, gid: Number.NaN }],
    ["unsafe integer", { uid: 2 ** 53, gid: 0 }]
  ])("refuses ids Linux has no user for: %s", (_name, hostUser) => {
    expect(() => renderVagrantfile(renderInput("docker", { hostUser }))).toThrow(/host user ids .* are not a uid:gid \(each 0-4294967294\)/)
  })

  it("hypervisor providers never render the ids (their synced folders map ownership)", () => {
    for (const provider of PROVIDERS.filter((p) => p !== "docker")) {
      const text = renderVagrantfile(renderInput(provider, { hostUser: { uid: 0, gid: 0 } }))
      expect(text).not.toMatch(/VM_HOST_[UG]ID/)
      expect(linesOf(text).filter((l) => l.includes("4294967294"))).toEqual([])
      expect(planOf({ uid: 0, gid: 0 }, provider)).not.toHaveProperty("guestUser")
    }
  })
})
