#!/usr/bin/env node
// Benchmark: applying a mount change to a temp VM (docker provider) with `vm temp mount`/`unmount`,
// against bare Vagrant doing the same machine's `vagrant destroy -f && vagrant up` and `vagrant reload`
// (reload does NOT apply synced-folder changes on docker; it is the lower bound of any restart).
// Same machine, same Vagrantfile, same run, interleaved; prints medians and ratios.
//
//   npm run build && node scripts/bench-temp-mount.mjs [--runs 5]
//
// Also times warm reuse (`vm temp create --yes` finding the running VM) and a cold `vm temp create`.
// Needs vagrant, a docker daemon and the image from scripts/build-image.sh. Everything it creates lives
// in a temp dir (its own HOME) and is destroyed at the end, also on failure.
import { spawnSync } from "node:child_process"
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const runsArg = process.argv.indexOf("--runs")
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5
const REPO = fileURLToPath(new URL("..", import.meta.url))
const VM = join(REPO, "packages/cli/bin/vm.cjs")
const NAME = "bench-temp"

const base = realpathSync(mkdtempSync(join(tmpdir(), "vm-bench-temp-")))
const home = join(base, "home")
mkdirSync(join(home, ".vm"), { recursive: true })
writeFileSync(join(home, ".vm", "config.yaml"), "defaults:\n  provider: docker\n")
const hostDir = (name) => {
  const dir = join(base, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "file.txt"), `${name}\n`)
  chmodSync(dir, 0o777)
  return dir
}
const src = hostDir("src")
const extra = hostDir("extra")
const vmDir = join(home, ".vm", "temp", NAME)

const env = { ...process.env, HOME: home, VM_NO_PROGRESS: "1", VAGRANT_CHECKPOINT_DISABLE: "1", VAGRANT_BOX_UPDATE_CHECK_DISABLE: "1" }
for (const k of ["VAGRANT_CWD", "VAGRANT_VAGRANTFILE", "VAGRANT_DOTFILE_PATH", "VAGRANT_HOME", "VAGRANT_DEFAULT_PROVIDER"]) delete env[k]
// exactly what vm's VagrantRunner sets for this temp VM
const vagrantEnv = {
  ...env,
  VAGRANT_VAGRANTFILE: "Vagrantfile.vmtool",
  VAGRANT_DOTFILE_PATH: ".vm/vagrant",
  VAGRANT_CWD: vmDir,
  VAGRANT_DEFAULT_PROVIDER: "docker",
  VAGRANT_NO_COLOR: "1"
}

/** Runs a command, fails loudly on a non-zero exit, returns seconds. */
const timed = (label, file, args, options = {}) => {
  const started = process.hrtime.bigint()
  const r = spawnSync(file, args, { cwd: options.cwd ?? base, env: options.env ?? env, encoding: "utf8", timeout: 900_000 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (r.status !== 0) {
    throw new Error(`${label} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`)
  }
  return seconds
}
const vm = (label, ...args) => timed(label, process.execPath, [VM, "temp", ...args])
const vagrant = (label, ...args) => timed(label, "vagrant", args, { cwd: vmDir, env: vagrantEnv })

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmt = (x) => `${x.toFixed(2)} s`

const cleanup = () => {
  spawnSync(process.execPath, [VM, "temp", "destroy", "--all"], { cwd: base, env, encoding: "utf8", timeout: 300_000 })
  const left = spawnSync("docker", ["ps", "-aq", "--filter", `label=dev.vm.root=${vmDir}`], { encoding: "utf8" }).stdout.split(/\s+/).filter(Boolean)
  if (left.length > 0) spawnSync("docker", ["rm", "-f", "-v", ...left])
  rmSync(base, { recursive: true, force: true })
}

// bare destroy+up is timed with the same folders as the vm operation it is compared to
// (a machine with one more bind mount boots measurably slower)
const samples = { mount: [], destroyUpMounted: [], unmount: [], destroyUp: [], reload: [], warmReuse: [] }
try {
  console.log(`vagrant ${spawnSync("vagrant", ["--version"], { encoding: "utf8" }).stdout.trim()}, ${RUNS} runs, load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  const cold = vm("vm temp create", "create", "--name", NAME, "--fresh", src)
  const machine = JSON.parse(readFileSync(join(vmDir, ".vm", "state.json"), "utf8")).instances[NAME].machine
  for (let i = 0; i < RUNS; i++) {
    const destroyUp = () => vagrant("vagrant destroy -f", "destroy", "-f", machine) + vagrant("vagrant up", "up", machine, "--provider=docker")
    samples.mount.push(vm("vm temp mount", "mount", "--name", NAME, extra))
    samples.destroyUpMounted.push(destroyUp())
    samples.unmount.push(vm("vm temp unmount", "unmount", "--name", NAME, extra))
    samples.destroyUp.push(destroyUp())
    samples.reload.push(vagrant("vagrant reload", "reload", machine))
    // the VM is running with exactly these mounts: reuse finds it and changes nothing
    samples.warmReuse.push(vm("vm temp create --yes", "create", "--yes", src))
    process.stderr.write(`run ${i + 1}/${RUNS}: ` + Object.entries(samples).map(([k, xs]) => `${k} ${fmt(xs[i])}`).join(", ") + "\n")
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]))
  console.log("")
  console.log(`| operation (docker provider, medians of ${RUNS}) | time | vs bare destroy+up, same folders | vs reload |`)
  console.log("|---|---|---|---|")
  const row = (label, x, bare) => console.log(`| ${label} | ${fmt(x)} | ${bare ? `${(x / bare).toFixed(2)}x` : ""} | ${(x / m.reload).toFixed(2)}x |`)
  row("`vm temp mount DIR` (3 folders after; apply + wait for ssh)", m.mount, m.destroyUpMounted)
  row("`vagrant destroy -f && vagrant up` (bare, 3 folders)", m.destroyUpMounted, m.destroyUpMounted)
  row("`vm temp unmount DIR` (2 folders after; apply + wait for ssh)", m.unmount, m.destroyUp)
  row("`vagrant destroy -f && vagrant up` (bare, 2 folders)", m.destroyUp, m.destroyUp)
  row("`vagrant reload` (bare, 2 folders; does not apply mounts)", m.reload, m.destroyUp)
  row("`vm temp create --yes` (warm reuse, same mounts)", m.warmReuse, undefined)
  console.log(`| \`vm temp create\` (cold, once) | ${fmt(cold)} | | |`)
  console.log("")
  console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
} finally {
  cleanup()
}
