import { describe, expect, it } from "vitest"
import { renderDoctorReport } from "../src/run/doctor.js"

const check = (name: string, status: "ok" | "warn" | "fail" | "skip", detail: string, fix?: string) => ({
  name,
  provider: name.includes(":") ? name.split(":")[0]! : null,
  status,
  detail,
  ...(fix === undefined ? {} : { fix }),
  durationMs: 1
})

describe("vm doctor's report", () => {
  it("one line per check, the fix on the problem's own line, then a verdict", () => {
    const lines = renderDoctorReport({
      ok: false,
      providers: ["docker"],
      checks: [
        check("vagrant", "ok", "Vagrant 2.3.4 (minimum 2.3.4)"),
        check("docker: daemon", "fail", "no docker daemon answers at unix:///x.sock: Cannot connect", "unset DOCKER_HOST"),
        check("docker: image vm-local/debian:bookworm", "skip", "not checked: 'docker: daemon' did not pass"),
        check("libvirt: box b", "warn", "the box b is not added", "vagrant box add b --provider libvirt")
      ]
    })
    expect(lines).toEqual([
      "ok    vagrant                                 Vagrant 2.3.4 (minimum 2.3.4)",
      "FAIL  docker: daemon                          no docker daemon answers at unix:///x.sock: Cannot connect — fix: unset DOCKER_HOST",
      "skip  docker: image vm-local/debian:bookworm  not checked: 'docker: daemon' did not pass",
      "warn  libvirt: box b                          the box b is not added — fix: vagrant box add b --provider libvirt",
      "1 problem to fix before vm can work, 1 warning"
    ])
  })

  it("all good; a tool's control characters cannot break the one-line layout", () => {
    const lines = renderDoctorReport({ ok: true, providers: ["docker"], checks: [check("docker: daemon", "ok", "engine\n\u001b[2Jx")] })
    expect(lines).toEqual(["ok    docker: daemon  engine\\n\\x1b[2Jx", "all good: vm has what it needs"])
  })
})
