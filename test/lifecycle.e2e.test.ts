/**
 * Foundation e2e suite: the machine life cycle through the real `vm` CLI, real Vagrant and
 * the docker provider (local image vm-local/debian:bookworm, see scripts/setup-host.sh).
 *
 * Tests inside a describe block share one machine and run in order; each one first brings
 * the machine into the state it needs (ensureRunning/ensureStopped), so a failure stays
 * local to the test that found it.
 */
import { readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox, type RunResult, type Sandbox } from "./support/sandbox.js"
import { expectExit, expectOk, hashTree, listEntry, listJson, statusJson, type StatusJson } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()

const VM_YAML = ["project:", "  name: e2e-life", "vagrant:", "  provider: docker", ""].join("\n")

/**
 * Machine states established by successful vm commands in this file, keyed by
 * "<project>\0<instance>". Wiped whenever a test fails, so ensureRunning/ensureStopped
 * only ask `vm status` when the state is not known for sure (saves a CLI + vagrant call
 * per test in the common all-green case).
 */
const known = new Map<string, "running" | "stopped" | "missing">()
const key = (sb: Sandbox, name: string) => `${sb.project}\0${name}`

/** Instance a command targets: `--instance NAME`, else the first positional after the command, else "dev". */
function targetOf(args: ReadonlyArray<string>): string {
  const i = args.indexOf("--instance")
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1]!
  const positional = args.slice(1).find((a) => !a.startsWith("-"))
  return positional ?? "dev"
}

async function vmOk(sb: Sandbox, args: ReadonlyArray<string>): Promise<RunResult> {
  const r = await sb.runVm(args)
  expectOk(r)
  const next = ({ create: "running", start: "running", restart: "running", stop: "stopped", destroy: "missing" } as const)[
    args[0] as "create"
  ]
  if (next !== undefined) known.set(key(sb, targetOf(args)), next)
  return r
}

/** `vm status NAME --json`, or undefined when the command fails (e.g. machine not created). */
async function tryStatus(sb: Sandbox, name: string): Promise<StatusJson | undefined> {
  const r = await sb.runVm(["status", name, "--json"])
  if (r.exitCode !== 0) return undefined
  try {
    return JSON.parse(r.stdout) as StatusJson
  } catch {
    return undefined
  }
}

async function ensureRunning(sb: Sandbox, name = "dev"): Promise<void> {
  if (known.get(key(sb, name)) === "running") return
  const s = await tryStatus(sb, name)
  if (s?.isRunning === true) {
    known.set(key(sb, name), "running")
  } else if (s === undefined || s.state === "missing") {
    await vmOk(sb, name === "dev" ? ["create"] : ["create", "--instance", name])
  } else {
    await vmOk(sb, ["start", name])
  }
}

async function ensureStopped(sb: Sandbox, name = "dev"): Promise<void> {
  if (known.get(key(sb, name)) === "stopped") return
  await ensureRunning(sb, name)
  await vmOk(sb, ["stop", name])
}

function expectRunning(s: StatusJson | undefined, name: string): void {
  expect(s, `status of ${name}`).toMatchObject({ name, provider: "docker", state: "running", isRunning: true })
  expect(typeof s?.rawState).toBe("string")
}

describe.runIf(e2e.ok)("vm life cycle (real vagrant, docker provider)", () => {
  beforeEach((ctx) => {
    ctx.onTestFailed(() => known.clear())
  })

  describe("one instance: create, exec, stop, start, restart, destroy", () => {
    let sb: Sandbox
    beforeAll(async () => {
      sb = await makeSandbox({ projectName: "e2e-life", vmYaml: VM_YAML })
    })
    afterAll(async () => {
      await sb?.cleanup()
    })

    it("vm create brings up the default instance `dev` as a labelled container", async () => {
      await vmOk(sb, ["create"])
      const containers = await sb.containers()
      expect(containers, "containers labelled dev.vm.root=<project>").toHaveLength(1)
      expect(containers[0]).toMatchObject({ root: sb.project, state: "running" })
    })

    it("vm list --json shows `dev` running", async () => {
      await ensureRunning(sb)
      const list = await listJson(sb)
      const dev = list.find((e) => e.name === "dev")
      expect(dev, JSON.stringify(list)).toMatchObject({ name: "dev", provider: "docker", state: "running" })
      expect(typeof dev?.machine).toBe("string")
      expect(typeof dev?.rawState).toBe("string")
      expect(dev?.id, "id of a running machine").toEqual(expect.any(String))
      expect(dev?.id).not.toBe("")
    })

    it("vm status --json reports running, with and without the instance name", async () => {
      await ensureRunning(sb)
      expectRunning(await statusJson(sb), "dev")
      expectRunning(await statusJson(sb, "dev"), "dev")
    })

    describe("vm exec", () => {
      it("passes stdout and stderr through and returns the guest exit status", async () => {
        await ensureRunning(sb)
        const r = await sb.runVm(["exec", "--", "sh", "-c", "echo out; echo err >&2; exit 7"])
        expectExit(r, 7)
        expect(r.stdout, formatResult(r)).toBe("out\n")
        expect(r.stderr, formatResult(r)).toMatch(/^err$/m)
      })

      it("exit status 0 and empty output for `true`", async () => {
        await ensureRunning(sb)
        const r = await sb.runVm(["exec", "--", "true"])
        expectOk(r)
        expect(r.stdout).toBe("")
      })

      it("delivers argv verbatim: no shell re-interpretation of quotes, $(), backticks, ;, globs", async () => {
        await ensureRunning(sb)
        const args = ["a b", "it's", "$(id)", "`x`", "a;b", 'say "hi"', "*", "$HOME", "back\\slash", "tab\there", "a && b | c > d"]
        const r = await sb.runVm(["exec", "--", "printf", "%s\\n", ...args])
        expectOk(r)
        expect(r.stdout, formatResult(r)).toBe(args.map((a) => `${a}\n`).join(""))
      })

      it("runs in /workspace, the bind-mounted project dir, in both directions", async () => {
        await ensureRunning(sb)
        const pwd = await vmOk(sb, ["exec", "--", "pwd"])
        expect(pwd.stdout).toBe("/workspace\n")

        await writeFile(join(sb.project, "from-host.txt"), "hello from the host\n")
        const cat = await vmOk(sb, ["exec", "--", "cat", "from-host.txt"])
        expect(cat.stdout).toBe("hello from the host\n")

        await vmOk(sb, ["exec", "--", "sh", "-c", "echo hello from the guest > /workspace/from-guest.txt"])
        expect(await readFile(join(sb.project, "from-guest.txt"), "utf8")).toBe("hello from the guest\n")
      })
    })

    it("vm destroy without --force and without a TTY refuses (exit 1) and keeps the machine", async () => {
      await ensureRunning(sb)
      const r = await sb.runVm(["destroy"])
      expectExit(r, 1)
      expect(r.stderr.trim(), formatResult(r)).not.toBe("")
      expectRunning(await statusJson(sb, "dev"), "dev")
    })

    it("vm stop: status stopped, list stopped, exec fails with an error message", async () => {
      await ensureRunning(sb)
      await vmOk(sb, ["stop"])
      const s = await statusJson(sb)
      expect(s).toMatchObject({ name: "dev", state: "stopped", isRunning: false })
      expect((await listEntry(sb, "dev"))?.state).toBe("stopped")
      expect((await sb.containers()).map((c) => c.state)).toEqual(["exited"])

      const r = await sb.runVm(["exec", "--", "echo", "should not run"])
      expect(r.exitCode, formatResult(r)).not.toBe(0)
      expect(r.stdout, formatResult(r)).not.toContain("should not run")
      expect(r.stderr.trim(), formatResult(r)).not.toBe("")
    })

    it("vm start: a stopped instance runs again", async () => {
      await ensureStopped(sb)
      await vmOk(sb, ["start"])
      expectRunning(await statusJson(sb), "dev")
      expect((await vmOk(sb, ["exec", "--", "echo", "alive"])).stdout).toBe("alive\n")
    })

    it("vm restart: running afterwards, same container", async () => {
      await ensureRunning(sb)
      const before = (await sb.containers()).map((c) => c.id)
      await vmOk(sb, ["restart"])
      expectRunning(await statusJson(sb), "dev")
      expect((await sb.containers()).map((c) => c.id)).toEqual(before)
      expect((await vmOk(sb, ["exec", "--", "echo", "alive"])).stdout).toBe("alive\n")
    })

    it("vm destroy --force removes the machine: list shows it missing or not at all", async () => {
      await ensureRunning(sb)
      await vmOk(sb, ["destroy", "--force"])
      const dev = await listEntry(sb, "dev")
      if (dev !== undefined) expect(dev.state).toBe("missing")
      expect(await sb.containers(), "containers left after destroy").toEqual([])
    })
  })

  describe("two instances in one project", () => {
    let sb: Sandbox
    beforeAll(async () => {
      sb = await makeSandbox({ projectName: "e2e-life", vmYaml: VM_YAML })
    })
    afterAll(async () => {
      await sb?.cleanup()
    })

    it("vm create + vm create --instance second: both listed running", async () => {
      await vmOk(sb, ["create"])
      await vmOk(sb, ["create", "--instance", "second"])
      const list = await listJson(sb)
      const dev = list.find((e) => e.name === "dev")
      const second = list.find((e) => e.name === "second")
      expect(dev, JSON.stringify(list)).toMatchObject({ state: "running", provider: "docker" })
      expect(second, JSON.stringify(list)).toMatchObject({ state: "running", provider: "docker" })
      expect(dev?.id).not.toBe(second?.id)
      const containers = await sb.containers()
      expect(containers.map((c) => c.state)).toEqual(["running", "running"])
    })

    it("instances are separate machines, addressed by --instance / NAME", async () => {
      await ensureRunning(sb, "dev")
      await ensureRunning(sb, "second")
      expectRunning(await statusJson(sb, "second"), "second")
      await vmOk(sb, ["exec", "--instance", "second", "--", "sh", "-c", "echo x > /tmp/only-on-second"])
      expectOk(await sb.runVm(["exec", "--instance", "second", "--", "test", "-e", "/tmp/only-on-second"]))
      expectExit(await sb.runVm(["exec", "--", "test", "-e", "/tmp/only-on-second"]), 1)
    })

    it("destroying one instance leaves the other running", async () => {
      await ensureRunning(sb, "dev")
      await ensureRunning(sb, "second")
      await vmOk(sb, ["destroy", "second", "--force"])
      const list = await listJson(sb)
      expect(list.find((e) => e.name === "dev")?.state, JSON.stringify(list)).toBe("running")
      const second = list.find((e) => e.name === "second")
      if (second !== undefined) expect(second.state).toBe("missing")
      expect((await sb.containers()).map((c) => c.state)).toEqual(["running"])
      expect((await vmOk(sb, ["exec", "--", "echo", "still here"])).stdout).toBe("still here\n")
    })
  })

  describe("a project with its own Vagrantfile and .vagrant/", () => {
    const USER_VAGRANTFILE = [
      "# -*- mode: ruby -*-",
      "# The user's own Vagrantfile: vm must neither change nor depend on it.",
      'Vagrant.configure("2") do |config|',
      '  config.vm.box = "user/does-not-exist"',
      '  config.vm.define "legacy" do |m|',
      '    m.vm.hostname = "legacy"',
      '    m.vm.provider "virtualbox" do |vb|',
      "      vb.memory = 512",
      "    end",
      "  end",
      "end",
      ""
    ].join("\n")
    const USER_FILES = ["Vagrantfile", ".vagrant"]
    let sb: Sandbox
    let original: Record<string, string>

    beforeAll(async () => {
      sb = await makeSandbox({
        projectName: "e2e-life",
        vmYaml: VM_YAML,
        files: {
          Vagrantfile: USER_VAGRANTFILE,
          ".vagrant/machines/legacy/virtualbox/id": "5c1d7e4a-user-owned-machine-id\n",
          ".vagrant/rgloader/loader.rb": "# user state, must survive untouched\n"
        }
      })
      original = await hashTree(sb.project, USER_FILES)
    })
    afterAll(async () => {
      await sb?.cleanup()
    })

    const expectUntouched = async () => {
      expect(await hashTree(sb.project, USER_FILES)).toEqual(original)
    }

    it("vm create leaves them byte-identical", async () => {
      expect(Object.keys(original)).toContain("Vagrantfile")
      await vmOk(sb, ["create"])
      await expectUntouched()
    })

    it("vm exec leaves them byte-identical (and sees the user's Vagrantfile in /workspace)", async () => {
      await ensureRunning(sb)
      const r = await vmOk(sb, ["exec", "--", "cat", "/workspace/Vagrantfile"])
      expect(r.stdout).toBe(USER_VAGRANTFILE)
      await expectUntouched()
    })

    it("vm destroy --force leaves them byte-identical", async () => {
      await ensureRunning(sb)
      await vmOk(sb, ["destroy", "--force"])
      await expectUntouched()
      expect(await sb.containers()).toEqual([])
    })
  })
})
