/**
 * Guest access through the real CLI: provisioning, environment, logs, interactive ssh, and bad input.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox, type Sandbox } from "./support/sandbox.js"

const e2e = await realVagrantAvailable()

const VM_YAML = [
  "project:",
  "  name: e2e-guest",
  "vagrant:",
  "  provider: docker",
  "environment:",
  "  GREETING: \"it's $(not) expanded\"",
  "provision: |",
  "  echo run >> /workspace/provisioned.log",
  ""
].join("\n")

describe.runIf(e2e.ok)("guest access", () => {
  let sb: Sandbox
  beforeAll(async () => {
    sb = await makeSandbox({ projectName: "e2e-guest", vmYaml: VM_YAML })
    const r = await sb.runVm(["create"])
    expect(r.exitCode, formatResult(r)).toBe(0)
  })
  afterAll(async () => {
    await sb?.runVm(["destroy", "--force"])
    await sb?.cleanup()
  })

  it("runs the provisioning script on create and again on `vm provision`", async () => {
    const log = join(sb.project, "provisioned.log")
    expect(readFileSync(log, "utf8")).toBe("run\n")
    const r = await sb.runVm(["provision"])
    expect(r.exitCode, formatResult(r)).toBe(0)
    expect(readFileSync(log, "utf8")).toBe("run\nrun\n")
  })

  it("exports the environment from vm.yaml verbatim to exec", async () => {
    const r = await sb.runVm(["exec", "--", "sh", "-c", "printf %s \"$GREETING\""])
    expect(r.exitCode, formatResult(r)).toBe(0)
    expect(r.stdout).toBe("it's $(not) expanded")
  })

  it("argv starting with '-' reaches the guest verbatim: a program named -a, not bash's exec -a (127)", async () => {
    for (const first of ["-a", "-l", "--", "-a=b"]) {
      const r = await sb.runVm(["exec", "--", first, "foo", "printf", "%s|", "x"])
      expect(r.exitCode, formatResult(r)).toBe(127)
      expect(r.stdout, formatResult(r)).toBe("")
    }
    const ok = await sb.runVm(["exec", "--", "printf", "%s|", "-a", "--", "x"])
    expect(ok.stdout, formatResult(ok)).toBe("-a|--|x|")
  })

  it("vm ssh opens a login shell in the workspace and passes its exit code on", async () => {
    const r = await sb.runVm(["ssh"], { input: "pwd\nprintf '%s\\n' \"$GREETING\"\nexit 3\n" })
    expect(r.exitCode, formatResult(r)).toBe(3)
    expect(r.stdout).toContain("/workspace\n")
    expect(r.stdout).toContain("it's $(not) expanded\n")
  })

  it("vm ssh --path starts in a subdirectory of the workspace", async () => {
    const mk = await sb.runVm(["exec", "--", "mkdir", "-p", "sub dir"])
    expect(mk.exitCode, formatResult(mk)).toBe(0)
    const r = await sb.runVm(["ssh", "--path", "sub dir"], { input: "pwd\n" })
    expect(r.exitCode, formatResult(r)).toBe(0)
    expect(r.stdout).toContain("/workspace/sub dir\n")
  })

  it("vm logs prints the machine's recent log lines, bounded by --tail", async () => {
    const r = await sb.runVm(["logs", "--tail", "3"])
    expect(r.exitCode, formatResult(r)).toBe(0)
    const lines = (r.stdout + r.stderr).trim().split("\n")
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.length).toBeLessThanOrEqual(3)
    expect(r.stdout + r.stderr).toMatch(/sshd|Server listening|Accepted/)
  })

  it("an unknown instance is one clear error and exit 1", async () => {
    const r = await sb.runVm(["exec", "-i", "nosuch", "--", "true"])
    expect(r.exitCode).toBe(1)
    expect(r.stderr.trim()).toBe("vm: no machine named 'nosuch' (known: dev)")
  })
})

describe.runIf(e2e.ok)("bad input", () => {
  it("an invalid vm.yaml names the key, exits 1 and writes nothing", async () => {
    const sb = await makeSandbox({
      projectName: "e2e-bad",
      vmYaml: "project:\n  name: e2e-bad\nvm:\n  memory: lots\nvagrant:\n  provider: docker\n"
    })
    try {
      const before = readdirSync(sb.project).sort()
      const r = await sb.runVm(["create"])
      expect(r.exitCode).toBe(1)
      expect(r.stdout).toBe("")
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toContain("'vm.memory'")
      expect(r.stderr).toContain(join(sb.project, "vm.yaml"))
      expect(readdirSync(sb.project).sort()).toEqual(before)
      expect(existsSync(join(sb.project, "Vagrantfile.vmtool"))).toBe(false)
      expect(await sb.containers()).toEqual([])
    } finally {
      await sb.cleanup()
    }
  })

  it("a vm.yaml that is not plain data (undefined alias, a list, invalid UTF-8) is one line naming the file, exit 1, no crash", async () => {
    for (const [text, says] of [
      ["project: *nope\n", "nope"],
      ["- project\n- name\n", "not a list"],
      [Buffer.from([...Buffer.from("project:\n  name: caf"), 0xe9, 0x0a]), "not valid UTF-8"]
    ] as const) {
      const sb = await makeSandbox({ projectName: "e2e-yaml", vmYaml: "project:\n  name: e2e-yaml\n" })
      try {
        writeFileSync(join(sb.project, "vm.yaml"), text)
        const r = await sb.runVm(["list"])
        expect(r.exitCode, formatResult(r)).toBe(1)
        expect(r.stderr.trim().split("\n"), formatResult(r)).toHaveLength(1)
        expect(r.stderr).toContain(join(sb.project, "vm.yaml"))
        expect(r.stderr).toContain(says)
        expect(r.stderr).not.toContain("internal error")
      } finally {
        await sb.cleanup()
      }
    }
  })

  it("vm temp refuses a mount source that contains the home directory, writing nothing", async () => {
    const sb = await makeSandbox({ projectName: "e2e-home-parent" })
    try {
      // the sandbox's home is <root>/home: <root> contains it
      const r = await sb.runVm(["temp", "create", "--name", "homeparent", sb.root], { cwd: sb.root })
      expect(r.exitCode, formatResult(r)).toBe(1)
      expect(r.stderr).toContain("contains your home directory")
      expect(existsSync(join(sb.home, ".vm", "temp", "homeparent"))).toBe(false)
      expect(await sb.containers()).toEqual([])
    } finally {
      await sb.cleanup()
    }
  })

  it("a usage error exits 2", async () => {
    const sb = await makeSandbox({ projectName: "e2e-usage", vmYaml: "project:\n  name: e2e-usage\n" })
    try {
      const r = await sb.runVm(["create", "--no-such-flag"])
      expect(r.exitCode).toBe(2)
    } finally {
      await sb.cleanup()
    }
  })
})
