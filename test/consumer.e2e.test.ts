/**
 * The library as another Effect program gets it: `npm run build`, `npm pack` of @vm/core and @vm/vagrant,
 * the tarballs installed into a scratch project outside the repository (effect & co from the registry, no
 * workspace links, no tsx), the examples/ type-checked with `tsc --strict` against the published .d.ts and
 * run with plain `node`: against the @vm/vagrant/testing fakes, and the status example against a real
 * Vagrant docker-provider machine made by the vm CLI.
 */
import { cp, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises"
import { existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { REPO_ROOT, realVagrantAvailable } from "./support/env.js"
import { formatResult, makeSandbox, type RunOptions, type RunResult, type Sandbox, sh } from "./support/sandbox.js"
import { expectExit, expectOk } from "./support/vm.js"

// CI=true and the host is not set up: this throws and the file fails (never silently skipped)
const e2e = await realVagrantAvailable()

const PACKAGES = ["core", "vagrant"] as const
const EXAMPLES = ["status", "restart-with-context"] as const

interface PackedFile {
  readonly filename: string
  readonly files: ReadonlyArray<{ readonly path: string }>
}

/** npm as a user runs it: none of the npm_* settings of the npm that started this test run. */
const npm = (args: ReadonlyArray<string>, cwd: string, timeoutMs = 300_000) => {
  const env: Record<string, string | undefined> = {}
  for (const key of Object.keys(process.env)) if (key.toLowerCase().startsWith("npm_")) env[key] = undefined
  return sh("npm", args, { cwd, env, timeoutMs })
}

/** A vm.yaml for the fakes' simulated docker provider. */
const FAKE_PROJECT = "project:\n  name: consumer-fake\nvagrant:\n  provider: docker\nvm:\n  memory: 512\n"

describe.runIf(e2e.ok)("the published packages in a consumer project (npm pack, plain node)", () => {
  let scratch = ""
  const packed = new Map<string, PackedFile>()
  /** `node <example>/dist/<file>.js ...args` in the scratch project. */
  const runExample = (example: string, file: string, args: ReadonlyArray<string>, opts: RunOptions = {}) =>
    sh(process.execPath, [join(scratch, "examples", example, "dist", `${file}.js`), ...args], { cwd: scratch, timeoutMs: 120_000, ...opts })
  const tsc = (args: ReadonlyArray<string>) =>
    sh(process.execPath, [join(scratch, "node_modules", "typescript", "bin", "tsc"), ...args], { cwd: scratch, timeoutMs: 300_000 })
  /** A fresh project directory (the fakes' machines live in one process: each run gets its own project). */
  const fakeProject = async (name: string) => {
    const dir = join(scratch, "projects", name)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, "vm.yaml"), FAKE_PROJECT)
    return dir
  }

  beforeAll(async () => {
    expectOk(await npm(["run", "--silent", "build"], REPO_ROOT))
    // outside the repository: nothing resolves through the workspace's node_modules
    scratch = await realpath(await mkdtemp(join(tmpdir(), "vm-consumer-")))
    for (const pkg of PACKAGES) {
      const r = await npm(["pack", "--json", "--pack-destination", scratch], join(REPO_ROOT, "packages", pkg))
      expectOk(r)
      const [info] = JSON.parse(r.stdout) as ReadonlyArray<PackedFile>
      packed.set(pkg, info!)
    }
    // the examples' own dependencies, by the versions their package.json files name; @vm/* from the tarballs
    const dependencies: Record<string, string> = {}
    for (const example of EXAMPLES) {
      const manifest = JSON.parse(await readFile(join(REPO_ROOT, "examples", example, "package.json"), "utf8")) as {
        dependencies: Record<string, string>
        devDependencies: Record<string, string>
      }
      Object.assign(dependencies, manifest.dependencies, manifest.devDependencies)
      await cp(join(REPO_ROOT, "examples", example), join(scratch, "examples", example), {
        recursive: true,
        filter: (source) => !/[/\\](dist|node_modules)$/.test(source)
      })
    }
    for (const pkg of PACKAGES) dependencies[`@vm/${pkg}`] = `file:./${packed.get(pkg)!.filename}`
    await writeFile(join(scratch, "package.json"), JSON.stringify({ name: "vm-consumer", private: true, type: "module", dependencies }, null, 2))
    expectOk(await npm(["install", "--no-audit", "--no-fund", "--prefer-offline"], scratch))
  })
  afterAll(async () => {
    if (scratch !== "") await rm(scratch, { recursive: true, force: true, maxRetries: 3 })
  })

  it("the tarballs hold the built JavaScript, declarations and source maps, no tests and no build state", () => {
    for (const pkg of PACKAGES) {
      const files = packed.get(pkg)!.files.map((f) => f.path)
      expect(files).toEqual(expect.arrayContaining(["package.json", "dist/index.js", "dist/index.d.ts", "dist/index.js.map", "dist/index.d.ts.map"]))
      expect(files.filter((f) => f.startsWith("test/") || f.includes("tsbuildinfo") || f.endsWith(".test.ts"))).toEqual([])
    }
    expect(packed.get("vagrant")!.files.map((f) => f.path)).toContain("dist/testing.js")
  })

  it("one copy of Effect: the packages use the consumer's effect and @effect/platform (peer dependencies)", async () => {
    for (const pkg of PACKAGES) expect(existsSync(join(scratch, "node_modules", "@vm", pkg, "node_modules")), pkg).toBe(false)
    // the installed versions are the ones the examples' package.json files ask for
    for (const example of EXAMPLES) {
      const manifest = JSON.parse(await readFile(join(scratch, "examples", example, "package.json"), "utf8")) as {
        dependencies: Record<string, string>
      }
      for (const [name, version] of Object.entries(manifest.dependencies)) {
        const installed = JSON.parse(await readFile(join(scratch, "node_modules", name, "package.json"), "utf8")) as { version: string }
        expect(installed.version, `${example}: ${name}`).toBe(version)
      }
    }
  })

  it("import { Lifecycle } from \"@vm/core\" (and the other entry points) works under plain node", async () => {
    const script = [
      "import { Lifecycle, StatusReporter, ConfigInvalid } from '@vm/core'",
      "import { VagrantProvider } from '@vm/vagrant'",
      "import { FakeVagrantProvider } from '@vm/vagrant/testing'",
      "import { ProcessRunner } from '@vm/core/provider'",
      "console.log(Lifecycle.key, StatusReporter.key, new ConfigInvalid({ file: 'f', key: 'k', reason: 'r' }).message)",
      "console.log(typeof VagrantProvider.layer, typeof FakeVagrantProvider.layer, ProcessRunner.key)"
    ].join("\n")
    const r = await sh(process.execPath, ["--input-type=module", "-e", script], { cwd: scratch })
    expectOk(r)
    expect(r.stdout).toBe(
      "@vm/core/Lifecycle @vm/core/StatusReporter invalid config f: key 'k': r\nfunction function @vm/core/ProcessRunner\n"
    )
  })

  it("a module outside the exports map cannot be imported, by node or by tsc", async () => {
    for (const spec of ["@vm/core/config/load", "@vm/core/errors", "@vm/core/dist/index.js", "@vm/vagrant/layers", "@vm/vagrant/src/index.ts"]) {
      const r = await sh(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(spec)})`], { cwd: scratch })
      expect(r.exitCode, formatResult(r)).not.toBe(0)
      expect(r.stderr, spec).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED")
    }
    await writeFile(join(scratch, "deep.ts"), "import { loadProjectConfig } from \"@vm/core/config/load\"\nexport const load = loadProjectConfig\n")
    const r = await tsc(["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", "--types", "node", "deep.ts"])
    expect(r.stdout, formatResult(r)).toContain("error TS2307: Cannot find module '@vm/core/config/load'")
  })

  it("the examples type-check with tsc --strict against the published declarations (fully typed, no errors in them)", async () => {
    for (const example of EXAMPLES) {
      const config = JSON.parse(await readFile(join(scratch, "examples", example, "tsconfig.json"), "utf8")) as {
        compilerOptions: { strict: boolean }
      }
      expect(config.compilerOptions.strict).toBe(true)
      expectOk(await tsc(["-p", join("examples", example)]))
    }
    // the published .d.ts themselves, checked too (Effect's own need DOM types, so only errors in @vm/* or the examples count),
    // and a capability tag that resolved to `any` would not compile
    await writeFile(
      join(scratch, "typed.ts"),
      [
        "import { Lifecycle } from \"@vm/core\"",
        "import { VagrantProvider } from \"@vm/vagrant\"",
        "type IsAny<T> = 0 extends 1 & T ? true : false",
        "export const lifecycleTyped: IsAny<typeof Lifecycle> = false",
        "export const layerTyped: IsAny<typeof VagrantProvider.layer> = false",
        ""
      ].join("\n")
    )
    const r = await tsc([
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "false",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--target",
      "es2022",
      "--types",
      "node",
      "typed.ts",
      ...EXAMPLES.flatMap((example) => ["main.ts", "fake.ts"].map((file) => join("examples", example, "src", file)))
    ])
    const ours = r.stdout.split("\n").filter((line) => /error TS/.test(line) && !line.startsWith("node_modules/@effect/"))
    expect(ours, formatResult(r)).toEqual([])
  })

  it("the status example runs against the @vm/vagrant/testing fakes", async () => {
    const project = await fakeProject("status")
    const r = await runExample("status", "fake", [project], { env: { HOME: join(scratch, "home") } })
    expectOk(r)
    expect(r.stdout).toMatch(/^dev: running \(docker\), up \d+(m\d+s|h\d+m), cpu [\d.]+%, memory \d+\/\d+ MB$/m)
    expect(r.stdout).toMatch(/^web: stopped \(docker\)$/m)
    // a status costs no Vagrant start-up: the state comes from docker, the ssh-config from the port vm allocated
    expect(r.stdout).toMatch(/^vagrant commands for the status lines: none$/m)
  })

  it("the restart example applies a context built in code (VM_MEMORY) on the fakes and says what it performed", async () => {
    const applied = await runExample("restart-with-context", "fake", [await fakeProject("restart")], {
      env: { HOME: join(scratch, "home"), VM_MEMORY: "768" }
    })
    expectOk(applied)
    // the docker provider cannot change memory in place: the machine is recreated by a new `vagrant up`
    expect(applied.stdout).toBe("dev: recreate because memory changed (512 MB → 768 MB); now running\nvagrant commands: up\n")

    const unchanged = await runExample("restart-with-context", "fake", [await fakeProject("restart-same")], {
      env: { HOME: join(scratch, "home"), VM_MEMORY: "512" }
    })
    expectOk(unchanged)
    expect(unchanged.stdout).toBe("dev: reload; now running\nvagrant commands: reload\n")

    const invalid = await runExample("restart-with-context", "fake", [await fakeProject("restart-bad")], {
      env: { HOME: join(scratch, "home"), VM_MEMORY: "64" }
    })
    expectExit(invalid, 1)
    expect(invalid.stderr).toMatch(/^restart: .*VM_MEMORY must be at least 128 \(MB\)/m)
  })

  describe("the status example against real Vagrant (docker provider)", () => {
    let sb: Sandbox
    /** The example as the user runs it: their HOME, so it sees the machines the vm CLI made. */
    const status = (cwd: string): Promise<RunResult> =>
      runExample("status", "main", [cwd], {
        env: {
          HOME: sb.home,
          // as the sandbox runs vm (another suite in this process may point VAGRANT_HOME elsewhere)
          VAGRANT_HOME: join(sb.home, ".vagrant.d"),
          VAGRANT_CWD: undefined,
          VAGRANT_VAGRANTFILE: undefined,
          VAGRANT_DOTFILE_PATH: undefined,
          VAGRANT_DEFAULT_PROVIDER: undefined,
          VAGRANT_CHECKPOINT_DISABLE: "1",
          VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1",
          NO_COLOR: "1"
        }
      })

    beforeAll(async () => {
      sb = await makeSandbox({
        projectName: "e2e-consumer",
        vmYaml: "project:\n  name: e2e-consumer\nvagrant:\n  provider: docker\nvm:\n  memory: 512\n  cpus: 1\n"
      })
      expectOk(await sb.runVm(["create"]))
    })
    afterAll(async () => {
      await sb?.cleanup()
    })

    it("one line for the machine the vm CLI created: running, its memory limit, uptime and CPU", async () => {
      const r = await status(sb.project)
      expectOk(r)
      expect(r.stdout).toMatch(/^dev: running \(docker\), up \d+m\d+s, cpu [\d.]+%, memory \d+\/512 MB\n$/)
    })

    it("a stopped machine is a status line too; a directory without vm.yaml is one typed error, exit 1", async () => {
      expectOk(await sb.runVm(["stop"]))
      const stopped = await status(sb.project)
      expectOk(stopped)
      expect(stopped.stdout).toBe("dev: stopped (docker)\n")

      const nowhere = await status(sb.home)
      expectExit(nowhere, 1)
      expect(nowhere.stderr).toContain(`status: no vm.yaml found in ${sb.home} or any parent directory`)
    })
  })
})
