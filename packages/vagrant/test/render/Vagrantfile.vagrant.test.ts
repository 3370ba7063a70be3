/**
 * Rendered Vagrantfiles checked by the real tools: `vagrant validate` must accept every variant, and
 * a probe command (./probe.ts) reads back what Vagrant actually built, so hostile strings are
 * compared after Ruby and Vagrant parsed them. Skips without vagrant/ruby, except when CI=true.
 *
 * What `vagrant validate` checks (Vagrant 2.3.4, plugins/commands/validate/command.rb): it loads the
 * Vagrantfile (Ruby syntax and evaluation of every block, provider blocks of all providers
 * included; a provider whose plugin is not installed gets a DummyConfig that accepts any setting),
 * then validates the core config per machine: box, hostname, synced-folder host paths must exist,
 * forwarded ports, provisioners (e.g. a shell `path` must exist). It also validates the config of
 * the active provider, but first needs a *usable* default provider: here only docker is; the
 * built-in virtualbox/hyperv (no hypervisor) and the vmware_desktop/libvirt/parallels plugins (not
 * installed) fail with "No usable default provider". For those we pass `--ignore-provider`, which
 * mocks every registered provider as usable, uses a temporary data dir and skips provider-config
 * validation. The probe covers that gap for the built-in providers by reporting settings their
 * config classes did not recognise.
 */
import type { GlobalConfig, ProjectConfig, VagrantProviderName } from "@vm/core/config/schema"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  containerName,
  envScript,
  type RenderInput,
  renderVagrantfile,
  resolveEnvironment
} from "../../src/render/Vagrantfile.js"
import { limiter, run, type RunResult, toolGate } from "../support/realTools.js"
import { DEFAULT_IMAGE, globalConfig, HOSTILE, machine, project, PROVIDERS } from "./fixtures.js"
import { PROBE_FILE, PROBE_VAGRANTFILE, type ProbedMachine } from "./probe.js"

const tools = toolGate("vagrant", "ruby", "sh")
// each vagrant call costs ~1 s of Ruby; the test host has two cores
const limit = limiter(2)
const TIMEOUT = 120_000

/** Providers Vagrant can use on this host; every other one is validated with --ignore-provider. */
const USABLE_HERE: ReadonlySet<VagrantProviderName> = new Set(["docker"])

describe.skipIf(tools.skip)("rendered Vagrantfiles under real Vagrant", () => {
  let base = ""
  let env: NodeJS.ProcessEnv = {}

  beforeAll(async () => {
    tools.assertPresent()
    base = mkdtempSync(join(tmpdir(), "vm-render-vagrant-"))
    env = {
      ...process.env,
      VAGRANT_HOME: join(base, "vagrant-home"),
      VAGRANT_CHECKPOINT_DISABLE: "1",
      VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
      VAGRANT_NO_COLOR: "1"
    }
    // create the private VAGRANT_HOME once, so that parallel calls do not race to set it up
    const init = await run("vagrant", ["global-status"], { cwd: base, env })
    expect(init.code, init.stderr).toBe(0)
  }, TIMEOUT)
  afterAll(() => {
    if (base !== "") rmSync(base, { recursive: true, force: true })
  })

  let counter = 0
  /** A project folder holding the rendered Vagrantfile.vmtool, the probe, and the given subfolders. */
  const writeProject = (
    name: string,
    build: (root: string) => RenderInput,
    dirs: ReadonlyArray<string> = []
  ): { root: string; input: RenderInput; text: string } => {
    const root = join(base, `${counter++}-${name}`)
    mkdirSync(root, { recursive: true })
    for (const d of dirs) mkdirSync(join(root, d), { recursive: true })
    const input = build(root)
    const text = renderVagrantfile(input)
    writeFileSync(join(root, "Vagrantfile.vmtool"), text)
    writeFileSync(join(root, PROBE_FILE), PROBE_VAGRANTFILE)
    return { root, input, text }
  }

  const vagrant = (cwd: string, args: ReadonlyArray<string>, vagrantfile = "Vagrantfile.vmtool"): Promise<RunResult> =>
    limit(() => run("vagrant", args, { cwd, env: { ...env, VAGRANT_VAGRANTFILE: vagrantfile } }))

  const validate = (cwd: string, provider: VagrantProviderName) =>
    vagrant(cwd, USABLE_HERE.has(provider) ? ["validate"] : ["validate", "--ignore-provider"])

  const probe = async (cwd: string, provider: VagrantProviderName): Promise<Record<string, ProbedMachine>> => {
    const result = await vagrant(cwd, ["vm-probe", provider], PROBE_FILE)
    expect(result.code, result.stderr + result.stdout).toBe(0)
    return JSON.parse(result.stdout) as Record<string, ProbedMachine>
  }

  const fullProject = (provider: VagrantProviderName) => (root: string): RenderInput => ({
    projectRoot: root,
    provider,
    config: project({
      vm: { memory: 1024, cpus: 2, gui: false, port_binding: "127.0.0.1" },
      ports: { web: 3000, _range: [4000, 4003] },
      environment: { A: "1", FLAG: true },
      provision: { path: "setup.sh", privileged: false },
      synced_folders: [{ source: "data", target: "/data" }, { source: "ro", target: "/ro", readonly: true }],
      vagrant: {
        boot_timeout: 120,
        virtualbox: { name: "demo", linked_clone: true },
        vmware_desktop: { vmx: { "ethernet0.virtualdev": "vmxnet3" } },
        hyperv: { vmname: "demo", enable_virtualization_extensions: true },
        libvirt: { driver: "qemu", uri: "qemu:///system" },
        parallels: { name: "demo" },
        docker: { create_args: ["--shm-size=64m"] }
      }
    }),
    global: globalConfig({
      registries: { npm: "http://127.0.0.1:4873/" },
      synced_folders: [{ source: join(root, "global"), target: "/global" }]
    }),
    machines: ["dev", "test", "ci"].map((name, i) => machine(name, provider === "docker" ? 22931 + i : null)),
    extraSyncedFolders: [{ source: join(root, "extra"), target: "/mnt/extra", readonly: true }],
    dockerImageDefault: DEFAULT_IMAGE,
    // docker: the largest uid Linux accepts, rendered into the container environment
    hostUser: { uid: 4294967294, gid: 0 }
  })

  it.concurrent.for([...PROVIDERS])("vagrant validate accepts the full %s rendering (3 machines)", { timeout: TIMEOUT }, async (provider, { expect }) => {
    const { root } = writeProject(`full-${provider}`, fullProject(provider), ["data", "ro", "global", "extra"])
    writeFileSync(join(root, "setup.sh"), "#!/bin/sh\ntrue\n")
    const result = await validate(root, provider)
    expect(result.code, result.stderr + result.stdout).toBe(0)
    expect(result.stdout).toContain("Vagrantfile validated successfully.")
  })

  it.concurrent.for([...PROVIDERS])("vagrant validate accepts the minimal %s rendering", { timeout: TIMEOUT }, async (provider, { expect }) => {
    const { root } = writeProject(`min-${provider}`, (root) => ({
      projectRoot: root,
      provider,
      config: project(),
      global: globalConfig(),
      machines: [machine("dev", provider === "docker" ? 22941 : null)],
      extraSyncedFolders: [],
      dockerImageDefault: DEFAULT_IMAGE,
      hostUser: null
    }))
    const result = await validate(root, provider)
    expect(result.code, result.stderr + result.stdout).toBe(0)
  })

  it.concurrent("vagrant validate really validates: a missing synced-folder source fails", async ({ expect }) => {
    const { root } = writeProject("missing-folder", (root) => ({
      ...fullProject("docker")(root),
      extraSyncedFolders: [{ source: join(root, "does-not-exist"), target: "/mnt/nope" }]
    }), ["data", "ro", "global", "extra"])
    writeFileSync(join(root, "setup.sh"), "true\n")
    const result = await validate(root, "docker")
    expect(result.code).not.toBe(0)
    expect(result.stderr + result.stdout).toContain("does-not-exist")
  }, TIMEOUT)

  describe("hostile strings survive Ruby and Vagrant exactly", () => {
    // a real folder whose name carries quotes, #{}, backslashes, CR LF, spaces and unicode
    const ROOT_NAME = HOSTILE.root.slice("/tmp/".length)
    const hostileConfig = (root: string): ProjectConfig =>
      project({
        environment: { HOSTILE: HOSTILE.env, PLAIN: "plain" },
        provision: HOSTILE.script,
        synced_folders: [{ source: HOSTILE.source, target: HOSTILE.target }, { source: join(root, "ro"), target: "/ro", readonly: true }],
        ports: { web: 3000 },
        vm: { memory: 2048, cpus: 2, port_binding: "127.0.0.1" },
        vagrant: {
          virtualbox: { name: HOSTILE.env },
          hyperv: { vmname: HOSTILE.env, enable_virtualization_extensions: true }
        }
      })
    const hostileGlobal: GlobalConfig = globalConfig({ environment: { GLOBAL: "g'\\\n" }, registries: { pip: "http://x/?a=1&b='2'" } })
    const EXTRA_SOURCE = "extra 'x' #{y} \\ z"

    const hostileProject = (provider: VagrantProviderName) =>
      writeProject(`hostile-${provider}/${ROOT_NAME}`, (root) => ({
        projectRoot: root,
        provider,
        config: hostileConfig(root),
        global: hostileGlobal,
        machines: [machine("dev", provider === "docker" ? 22951 : null), machine("test", provider === "docker" ? 22952 : null), machine("ci", provider === "docker" ? 22953 : null)],
        extraSyncedFolders: [{ source: join(root, EXTRA_SOURCE), target: "/mnt/extra" }],
        dockerImageDefault: DEFAULT_IMAGE,
        hostUser: { uid: 0, gid: 0 }
      }), [HOSTILE.source, EXTRA_SOURCE, "ro"])

    const expectCommon = (m: ProbedMachine, root: string, config: ProjectConfig) => {
      expect(m.synced_folders["/workspace"]).toMatchObject({ hostpath: root, disabled: false })
      expect(m.synced_folders[HOSTILE.target]).toMatchObject({ hostpath: join(root, HOSTILE.source), guestpath: HOSTILE.target })
      expect(m.synced_folders["/mnt/extra"]).toMatchObject({ hostpath: join(root, EXTRA_SOURCE) })
      expect(m.synced_folders["/vagrant"]).toMatchObject({ disabled: true })
      const [envProv, userProv] = m.provisioners
      expect(envProv).toMatchObject({ name: "vm-env", type: "shell", run: "always" })
      expect(envProv!.config).toMatchObject({
        inline: envScript(resolveEnvironment(config, hostileGlobal)),
        privileged: true,
        binary: true
      })
      expect(userProv).toMatchObject({ name: "vm-user", type: "shell", config: { inline: HOSTILE.script, privileged: true } })
      expect(m.invalid_provider_settings).toEqual([])
    }

    // one docker project serves two tests: each vagrant call is ~1 s of Ruby
    let dockerRun: Promise<{ root: string; validated: RunResult; machines: Record<string, ProbedMachine> }> | undefined
    const hostileDocker = () =>
      (dockerRun ??= (async () => {
        const { root } = hostileProject("docker")
        const validated = await validate(root, "docker")
        return { root, validated, machines: await probe(root, "docker") }
      })())

    it.concurrent("docker: folders, env script, provision script, create_args; every machine present", async ({ expect }) => {
      const { root, validated, machines } = await hostileDocker()
      expect(validated.code, validated.stderr + validated.stdout).toBe(0)
      expect(Object.keys(machines).sort()).toEqual(["ci-vm", "dev-vm", "test-vm"])
      const config = hostileConfig(root)
      for (const [name, port] of [["dev-vm", 22951], ["test-vm", 22952], ["ci-vm", 22953]] as const) {
        const m = machines[name]!
        expectCommon(m, root, config)
        expect(m.synced_folders["/ro"]).toMatchObject({ docker_consistency: "ro" })
        expect(m).toMatchObject({ hostname: name.replace("-vm", ""), guest: "debian", ssh_host: "127.0.0.1", ssh_port: port, box: null })
        expect(m.networks).toContainEqual(["forwarded_port", expect.objectContaining({ id: "ssh", guest: 22, host: port, disabled: true })])
        expect(m.networks.filter(([, o]) => o["id"] !== "ssh")).toEqual([])
        expect(m.provider).toMatchObject({
          image: DEFAULT_IMAGE,
          has_ssh: true,
          name: containerName("demo", name, root),
          create_args: ["--network=host", "--label", `dev.vm.root=${root}`, "--label", `dev.vm.machine=${name}`, "--memory=2048m", "--cpus=2"],
          // rendered as a root host user: the guest user is given uid/gid 0
          env: { SSH_PORT: String(port), VM_HOST_UID: "0", VM_HOST_GID: "0" }
        })
      }
    }, TIMEOUT)

    it.concurrent("virtualbox: read-only mount options, forwarded ports, VM name and resources", async ({ expect }) => {
      const { root } = hostileProject("virtualbox")
      const validated = await validate(root, "virtualbox")
      expect(validated.code, validated.stderr + validated.stdout).toBe(0)
      const machines = await probe(root, "virtualbox")
      const config = hostileConfig(root)
      expect(Object.keys(machines).sort()).toEqual(["ci-vm", "dev-vm", "test-vm"])
      const m = machines["dev-vm"]!
      expectCommon(m, root, config)
      expect(m.synced_folders["/ro"]).toMatchObject({ mount_options: ["ro"] })
      expect(m.box).toBe("debian/bookworm64")
      expect(m.networks).toContainEqual([
        "forwarded_port",
        expect.objectContaining({ guest: 3000, host: 3000, host_ip: "127.0.0.1", auto_correct: true, id: "vm-web" })
      ])
      expect(m.provider).toMatchObject({ name: HOSTILE.env })
      expect(machines["test-vm"]!.provider).toMatchObject({ name: `${HOSTILE.env}-test` })
      const customizations = JSON.stringify(m.provider["customizations"])
      expect(customizations).toContain("\"--memory\",\"2048\"")
      expect(customizations).toContain("\"--cpus\",2")
    }, TIMEOUT)

    it.concurrent("hyperv: settings land in Hyper-V's own config class", async ({ expect }) => {
      const { root } = hostileProject("hyperv")
      const validated = await validate(root, "hyperv")
      expect(validated.code, validated.stderr + validated.stdout).toBe(0)
      const m = (await probe(root, "hyperv"))["dev-vm"]!
      expectCommon(m, root, hostileConfig(root))
      expect(m.provider).toMatchObject({ memory: 2048, cpus: 2, vmname: HOSTILE.env, enable_virtualization_extensions: true })
    }, TIMEOUT)

    it.concurrent("the env script Vagrant would upload recreates every value in a login shell's file", async ({ expect }) => {
      const { root, machines } = await hostileDocker()
      const m = machines["dev-vm"]!
      const uploaded = m.provisioners[0]!.config["inline"] as string
      const sandbox = join(base, "profile-sandbox")
      mkdirSync(sandbox, { recursive: true })
      const script = uploaded.replaceAll("/etc/profile.d", sandbox)
      const ran = await run("sh", ["-c", script])
      expect(ran.code, ran.stderr).toBe(0)
      const file = join(sandbox, "vm-env.sh")
      expect(statSync(file).mode & 0o777).toBe(0o644)
      const expected = resolveEnvironment(hostileConfig(root), hostileGlobal)
      const names = Object.keys(expected)
      const read = await run("sh", ["-c", `. "$1"; shift; for n do eval "printf '%s\\\\0' \\"\\$$n\\""; done`, "sh", file, ...names])
      expect(read.code, read.stderr).toBe(0)
      expect(read.stdout.split("\0").slice(0, -1)).toEqual(names.map((n) => expected[n]))
      expect(readFileSync(file, "utf8").startsWith("export GLOBAL=")).toBe(true)
    }, TIMEOUT)
  })
})
