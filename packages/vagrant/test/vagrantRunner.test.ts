import { describe, expect, it } from "vitest"
import { vagrantEnv } from "../src/VagrantRunner.js"

describe("vagrantEnv: what every vagrant call runs with", () => {
  it("names vm's own Vagrantfile and data directory, pins the cwd, and turns off network checks and colour", () => {
    expect(vagrantEnv({ cwd: "/p" })).toEqual({
      VAGRANT_VAGRANTFILE: "Vagrantfile.vmtool",
      VAGRANT_DOTFILE_PATH: ".vm/vagrant",
      VAGRANT_CHECKPOINT_DISABLE: "1",
      VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
      VAGRANT_NO_COLOR: "1",
      VAGRANT_CWD: "/p"
    })
  })

  it("the provider for machines not created yet; plugins off only when asked", () => {
    expect(vagrantEnv({ cwd: "/p", provider: "docker" })["VAGRANT_DEFAULT_PROVIDER"]).toBe("docker")
    expect(vagrantEnv({ cwd: "/p", plugins: false })["VAGRANT_NO_PLUGINS"]).toBe("1")
    expect(vagrantEnv({ cwd: "/p", plugins: true })).not.toHaveProperty("VAGRANT_NO_PLUGINS")
    expect(vagrantEnv({ cwd: "/p" })).not.toHaveProperty("VAGRANT_NO_PLUGINS")
  })
})
