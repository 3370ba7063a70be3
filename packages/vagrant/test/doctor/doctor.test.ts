import { describe, expect, it } from "@effect/vitest"
import { decodeGlobalConfig } from "@vm/core/config/decode"
import { ConfigInvalid } from "@vm/core/errors"
import { Effect, Either } from "effect"
import { parseImageInspect } from "../../src/providers/docker.js"
import { PROVIDER_NAMES } from "../../src/providers/registry.js"
import * as F from "../../src/testing/fixtures/hostChecks.js"
import { check, doctorIn, HOME } from "./world.js"

const DOCKER_YAML = "project:\n  name: app\nvagrant:\n  provider: docker\n"
const GB = 1024 ** 3

describe("vm doctor on a healthy host (recorded answers)", () => {
  it.effect("a docker project: every check passes, the docker tools are asked exactly what the recordings show", () =>
    Effect.gen(function*() {
      const { calls, report } = yield* doctorIn({ yaml: DOCKER_YAML })
      expect(report.checks.filter((c) => c.status !== "ok")).toEqual([])
      expect(report.ok).toBe(true)
      expect(report.providers).toEqual(["docker"])
      expect(check(report, "vagrant").detail).toBe("Vagrant 2.3.4 (minimum 2.3.4)")
      expect(check(report, "docker: daemon").detail).toBe("docker engine 20.10.24+dfsg1")
      expect(check(report, "docker: image vm-local/debian:bookworm").detail).toBe("vm-local/debian:bookworm (dce6398f20fa, rev 3)")
      expect(check(report, "docker: disk").detail).toContain("at /var/lib/docker")
      expect(check(report, "ssh client").detail).toBe(F.OPENSSH_VERSION_LINE)
      const argvs = calls.map((c) => c.argv)
      expect(argvs).toContainEqual(F.DOCKER_SERVER_VERSION.argv)
      expect(argvs).toContainEqual(F.DOCKER_IMAGE_INSPECT_PRESENT.argv)
      expect(argvs).toContainEqual(F.DOCKER_INFO_ROOT_DIR.argv)
      // only the configured provider: no libvirt check although virsh is installed
      expect(argvs.some((a) => a[0] === "virsh")).toBe(false)
      expect(report.checks.some((c) => c.provider === "libvirt")).toBe(false)
      // Vagrant runs outside the project (its Vagrantfile must not decide whether Vagrant works)
      expect(calls.filter((c) => c.argv[0] === "vagrant").map((c) => c.cwd)).toEqual([HOME])
    }))

  it.effect("without vm.yaml: the providers installed here (libvirt, docker) with their plugin, box and disks", () =>
    Effect.gen(function*() {
      const global = Either.getOrThrow(decodeGlobalConfig("defaults:\n  box: vm-local/debian-libvirt\n", "/home/dev/.vm/config.yaml"))
      const { report } = yield* doctorIn({ global })
      expect(report.providers).toEqual(["libvirt", "docker"])
      expect(report.checks.filter((c) => c.status !== "ok")).toEqual([])
      expect(check(report, "libvirt: libvirtd").detail).toBe("libvirtd 9.0.0 at qemu:///system (QEMU 7.2.22)")
      expect(check(report, "libvirt: plugin vagrant-libvirt").detail).toBe("vagrant-libvirt 0.11.2, system")
      expect(check(report, "libvirt: box vm-local/debian-libvirt").detail).toBe("vm-local/debian-libvirt (libvirt 1.20261130032313)")
      expect(check(report, "libvirt: disk").detail).toContain("at /var/lib/libvirt/images")
      expect(check(report, "config").detail).toContain("no vm.yaml in /home/dev/somewhere")
    }))
})

describe("vm doctor names each problem and its fix", () => {
  it.effect("DOCKER_HOST pointing nowhere: the daemon check fails with docker's own words and how to fix it; what needs the daemon is skipped", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({
        yaml: DOCKER_YAML,
        environment: F.DOCKER_SERVER_VERSION_NO_DAEMON.env!,
        answers: [[["docker"], F.DOCKER_SERVER_VERSION_NO_DAEMON]]
      })
      expect(report.ok).toBe(false)
      const daemon = check(report, "docker: daemon")
      expect(daemon.status).toBe("fail")
      expect(daemon.detail).toContain("Cannot connect to the Docker daemon at unix:///nonexistent.sock")
      expect(daemon.fix).toContain("DOCKER_HOST=unix:///nonexistent.sock")
      expect(daemon.fix).toContain("unset DOCKER_HOST")
      expect(check(report, "docker: image vm-local/debian:bookworm").status).toBe("skip")
      expect(check(report, "docker: disk").status).toBe("skip")
      expect(report.checks.filter((c) => c.status === "fail").map((c) => c.name)).toEqual(["docker: daemon"])
    }))

  it.effect("no permission on the docker socket: join the docker group", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, answers: [[["docker"], F.DOCKER_SERVER_VERSION_PERMISSION_DENIED]] })
      expect(check(report, "docker: daemon").status).toBe("fail")
      expect(check(report, "docker: daemon").fix).toContain("usermod -aG docker")
    }))

  it.effect("no daemon and no DOCKER_HOST: start the daemon", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, answers: [[["docker"], F.DOCKER_SERVER_VERSION_TCP_REFUSED]] })
      expect(check(report, "docker: daemon").fix).toContain("start the docker daemon")
    }))

  it.effect("docker not installed", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, answers: [[["docker"], "missing"]] })
      const daemon = check(report, "docker: daemon")
      expect(daemon.status).toBe("fail")
      expect(daemon.detail).toContain("'docker' is not installed")
      expect(daemon.fix).toContain("apt-get install docker.io")
    }))

  it.live("a docker daemon that hangs is a failed check within the limit, and every other check still reports", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, timeoutMs: 300, answers: [[["docker"], "hang"]] })
      expect(Date.now() - started).toBeLessThan(10_000)
      const daemon = check(report, "docker: daemon")
      expect(daemon.status).toBe("fail")
      expect(daemon.detail).toContain("no answer within")
      expect(check(report, "vagrant").status).toBe("ok")
      expect(check(report, "ssh client").status).toBe("ok")
    }))

  it.effect("the default base image is missing: build it (no registry has it); another image: docker pulls it (a warning)", () =>
    Effect.gen(function*() {
      const missing = { ...F.DOCKER_IMAGE_INSPECT_MISSING, stderr: F.DOCKER_IMAGE_INSPECT_MISSING.stderr.replaceAll("vm-local/nothere:x", "vm-local/debian:bookworm") }
      const local = yield* doctorIn({ yaml: DOCKER_YAML, answers: [[["docker", "image"], missing]] })
      expect(check(local.report, "docker: image vm-local/debian:bookworm").status).toBe("fail")
      expect(check(local.report, "docker: image vm-local/debian:bookworm").fix).toContain("scripts/build-image.sh")

      const other = yield* doctorIn({
        yaml: `${DOCKER_YAML}  docker:\n    image: vm-local/nothere:x\n`,
        answers: [[["docker", "image"], F.DOCKER_IMAGE_INSPECT_MISSING]]
      })
      const image = check(other.report, "docker: image vm-local/nothere:x")
      expect(image.status).toBe("warn")
      expect(image.fix).toBe("docker pull vm-local/nothere:x")
      expect(other.report.ok).toBe(true)
    }))

  it.effect("the local base image older than rev 3 (its guest user keeps uid 1000): a failed check naming the rebuild", () =>
    Effect.gen(function*() {
      const rev = (label: string) => ({
        ...F.DOCKER_IMAGE_INSPECT_PRESENT,
        stdout: F.DOCKER_IMAGE_INSPECT_PRESENT.stdout.replace('"dev.vm.image-rev":"3"', label)
      })
      for (const [label, shown] of [['"dev.vm.image-rev":"2"', "rev 2"], ['"dev.vm.image-rev":"x"', "rev unknown"]] as const) {
        const { report } = yield* doctorIn({ yaml: DOCKER_YAML, answers: [[["docker", "image"], rev(label)]] })
        const image = check(report, "docker: image vm-local/debian:bookworm")
        expect(image.status, label).toBe("fail")
        expect(image.detail).toContain(`is ${shown}, older than 3`)
        expect(image.fix).toContain("scripts/setup-host.sh")
        expect(report.ok).toBe(false)
      }
      // no labels at all (a user's own image): only present is asked of it
      const own = yield* doctorIn({
        yaml: `${DOCKER_YAML}  docker:\n    image: vm-local/nolabel:rec\n`,
        answers: [[["docker", "image"], F.DOCKER_IMAGE_INSPECT_NO_LABELS]]
      })
      expect(check(own.report, "docker: image vm-local/nolabel:rec")).toMatchObject({ status: "ok", detail: "vm-local/nolabel:rec (a6350deaaf67)" })
      expect(parseImageInspect(F.DOCKER_IMAGE_INSPECT_NO_LABELS.stdout)).toEqual({ shortId: "a6350deaaf67", rev: undefined })
      expect(parseImageInspect(F.DOCKER_IMAGE_INSPECT_PRESENT.stdout)).toEqual({ shortId: "dce6398f20fa", rev: 3 })
      expect(parseImageInspect("garbage")).toEqual({ shortId: "garbage", rev: undefined })
    }))

  it.effect("libvirt: the plugin missing, the box not added, libvirtd not answering", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({
        yaml: "project:\n  name: app\nvagrant:\n  provider: libvirt\n  libvirt:\n    uri: qemu+unix:///system?socket=/nonexistent.sock\n",
        answers: [
          [["vagrant", "plugin"], F.VAGRANT_PLUGIN_LIST_NONE],
          [["vagrant", "box"], F.VAGRANT_BOX_LIST_EMPTY],
          [["virsh"], F.VIRSH_VERSION_NO_DAEMON]
        ]
      })
      const plugin = check(report, "libvirt: plugin vagrant-libvirt")
      expect(plugin.status).toBe("fail")
      expect(plugin.fix).toContain("vagrant plugin install vagrant-libvirt")
      const box = check(report, "libvirt: box debian/bookworm64")
      expect(box.status).toBe("warn")
      expect(box.fix).toBe("vagrant box add debian/bookworm64 --provider libvirt")
      const daemon = check(report, "libvirt: libvirtd")
      expect(daemon.status).toBe("fail")
      expect(daemon.detail).toContain("failed to connect to the hypervisor")
      expect(daemon.fix).toContain("systemctl start libvirtd")
      expect(daemon.fix).toContain("qemu+unix:///system?socket=/nonexistent.sock")
      expect(check(report, "libvirt: disk").status).toBe("skip")
    }))

  it.effect("Vagrant missing: one failure, and the plugin and box checks that need it are skipped", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({ yaml: "project:\n  name: app\nvagrant:\n  provider: libvirt\n", answers: [[["vagrant"], "missing"]] })
      expect(check(report, "vagrant").status).toBe("fail")
      expect(check(report, "vagrant").fix).toContain("apt-get install --no-install-recommends vagrant")
      expect(check(report, "libvirt: plugin vagrant-libvirt").status).toBe("skip")
      expect(check(report, "libvirt: box debian/bookworm64").status).toBe("skip")
    }))

  it.effect("a Vagrant older than the minimum (the recorded line with an older number)", () =>
    Effect.gen(function*() {
      const old = { ...F.VAGRANT_VERSION, stdout: "Vagrant 2.2.19\n" }
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, answers: [[["vagrant", "--version"], old]] })
      expect(check(report, "vagrant").status).toBe("fail")
      expect(check(report, "vagrant").detail).toContain("2.2.19 is older than 2.3.4")
    }))

  it.effect("the ssh control directory another user could have made: remove it", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({
        yaml: DOCKER_YAML,
        ssh: { controlDir: { dir: "/tmp/vm-ssh-1000", missing: false, problem: "is owned by uid 0, not by you (uid 1000)" } }
      })
      const dir = check(report, "ssh control directory")
      expect(dir.status).toBe("fail")
      expect(dir.detail).toBe("/tmp/vm-ssh-1000 is owned by uid 0, not by you (uid 1000)")
      expect(dir.fix).toContain("rm -rf /tmp/vm-ssh-1000")
    }))

  it.effect("no ssh client", () =>
    Effect.gen(function*() {
      const { ToolNotInstalled } = yield* Effect.promise(() => import("@vm/core/errors"))
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, ssh: { version: Effect.fail(new ToolNotInstalled({ tool: "ssh", hint: "" })) } })
      expect(check(report, "ssh client").status).toBe("fail")
      expect(check(report, "ssh client").fix).toContain("openssh-client")
    }))

  it.effect("free disk: below 2 GB fails, below 10 GB warns", () =>
    Effect.gen(function*() {
      const low = yield* doctorIn({ yaml: DOCKER_YAML, disk: (p) => ({ freeBytes: p === "/var/lib/docker" ? 1 * GB : 5 * GB, totalBytes: 100 * GB }) })
      expect(check(low.report, "docker: disk").status).toBe("fail")
      expect(check(low.report, "docker: disk").detail).toBe("1.0 GB free of 100.0 GB at /var/lib/docker")
      expect(check(low.report, "disk: project").status).toBe("warn")
      expect(low.report.ok).toBe(false)
    }))

  it.live("a disk that never answers is a failed check, not a hang", () =>
    Effect.gen(function*() {
      const { report } = yield* doctorIn({ yaml: DOCKER_YAML, timeoutMs: 200, disk: () => "hang" })
      expect(check(report, "disk: project").status).toBe("fail")
      expect(check(report, "disk: project").detail).toContain("no answer within")
    }))

  it.effect("an unreadable vm.yaml is a failed check; the host's providers are checked instead", () =>
    Effect.gen(function*() {
      const problem = new ConfigInvalid({ file: "/home/dev/project/vm.yaml", key: "vagrant.provider", reason: "expected one of …" })
      const { report } = yield* doctorIn({ configProblems: [problem] })
      expect(check(report, "config").status).toBe("fail")
      expect(check(report, "config").detail).toContain("vagrant.provider")
      expect(report.providers).toEqual(["libvirt", "docker"])
    }))
})

describe("every provider module answers vm doctor", () => {
  for (const provider of PROVIDER_NAMES) {
    it.effect(`${provider} on a host without any of its tools: failures that name a fix, no crash`, () =>
      Effect.gen(function*() {
        const { report } = yield* doctorIn({
          yaml: `project:\n  name: app\nvagrant:\n  provider: ${provider}\n`,
          onPath: ["vagrant", "ssh"],
          answers: [
            [["docker"], "missing"],
            [["virsh"], "missing"],
            [["VBoxManage"], "missing"],
            [["prlctl"], "missing"],
            [["pwsh"], "missing"],
            [["vmrun"], "missing"],
            [["vagrant", "plugin"], F.VAGRANT_PLUGIN_LIST_NONE]
          ]
        })
        const own = report.checks.filter((c) => c.provider === provider)
        expect(own.length).toBeGreaterThan(0)
        const failed = own.filter((c) => c.status === "fail")
        expect(failed.length, JSON.stringify(own)).toBeGreaterThan(0)
        for (const c of failed) {
          expect(c.fix, c.name).toMatch(/\S/)
          expect(c.detail, c.name).not.toContain("the check itself broke")
        }
        expect(report.ok).toBe(false)
      }))
  }
})
