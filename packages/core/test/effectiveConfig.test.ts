import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { decodeGlobalConfig, decodeProjectConfig } from "../src/config/decode.js"
import { withGlobalDefaults } from "../src/config/effective.js"

const project = (yaml: string) => Either.getOrThrow(decodeProjectConfig(`project:\n  name: p\n${yaml}`, "vm.yaml"))
const global = (yaml: string) => Either.getOrThrow(decodeGlobalConfig(yaml, "config.yaml"))

describe("withGlobalDefaults", () => {
  it("fills the project's libvirt settings from the user's, key by key; the project wins", () => {
    const merged = withGlobalDefaults(
      project("vagrant:\n  libvirt:\n    isolated: false\n"),
      global("libvirt:\n  networking: user\n  isolated: true\n  uri: qemu:///session\n")
    )
    expect(merged.vagrant.libvirt).toEqual({ networking: "user", isolated: false, uri: "qemu:///session" })
  })
  it("without global libvirt settings the project's config is returned as it is", () => {
    const config = project("vm:\n  memory: 1024\n")
    expect(withGlobalDefaults(config, global(""))).toBe(config)
  })
  it("an unknown key in the global libvirt section is an error naming it", () => {
    const result = decodeGlobalConfig("libvirt:\n  netwrking: user\n", "config.yaml")
    expect(Either.isLeft(result) && result.left.message).toContain("netwrking")
  })
})
