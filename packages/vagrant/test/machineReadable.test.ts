import { Either } from "effect"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { errorExit, parseGlobalStatus, parseMachineReadable, parseStatus } from "../src/machineReadable.js"

// Captured from Vagrant 2.3.4 with the docker provider (see fixtures/; paths are from /tmp).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")

const right = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got ${String(e.left)}`)
  return e.right
}
const left = <A, E>(e: Either.Either<A, E>): E => {
  if (Either.isRight(e)) throw new Error(`expected Left, got ${JSON.stringify(e.right)}`)
  return e.left
}

describe("parseMachineReadable", () => {
  it("splits timestamp, target, type and data fields", () => {
    expect(parseMachineReadable("1795709815,m1,state,running\n")).toEqual([
      { timestamp: 1795709815, target: "m1", type: "state", data: ["running"] }
    ])
  })

  it("keeps an empty target and splits data on commas", () => {
    expect(parseMachineReadable("1,,metadata,machine-count,2")).toEqual([
      { timestamp: 1, target: "", type: "metadata", data: ["machine-count", "2"] }
    ])
  })

  it("unescapes %!(VAGRANT_COMMA), \\n and \\r inside fields only", () => {
    const [r] = parseMachineReadable("1,m,ui,info,a%!(VAGRANT_COMMA) b\\nc\\rd,second")
    expect(r!.data).toEqual(["info", "a, b\nc\rd", "second"])
  })

  it("unescapes in one pass (an escape never forms a new escape)", () => {
    const [r] = parseMachineReadable("1,m,x,\\%!(VAGRANT_COMMA)n")
    expect(r!.data).toEqual(["\\,n"])
  })

  it("handles lines without data, trailing commas and CRLF line ends", () => {
    expect(parseMachineReadable("1,m,ping\r\n2,m,ui,\r\n")).toEqual([
      { timestamp: 1, target: "m", type: "ping", data: [] },
      { timestamp: 2, target: "m", type: "ui", data: [""] }
    ])
  })

  it("ignores blank lines, human text, and lines without a type", () => {
    const text = "\n\nBringing machine 'm1' up\n==> m1: hi\n  12,m,state,x\nabc,m,state,x\n123,m\n123,m,\n5,m,state,ok\n"
    expect(parseMachineReadable(text)).toEqual([{ timestamp: 5, target: "m", type: "state", data: ["ok"] }])
  })

  it("parses a real capture completely", () => {
    const records = parseMachineReadable(fixture("status-not-created.txt"))
    expect(records).toHaveLength(11)
    expect(records.every((r) => r.timestamp === 1795714247)).toBe(true)
    expect(records.at(-1)).toMatchObject({ target: "", type: "ui", data: ["info", expect.stringContaining("db-x ")] })
  })
})

describe("errorExit", () => {
  it("reads the error class and message of a real failure", () => {
    expect(errorExit(parseMachineReadable(fixture("status-unknown-machine.txt")))).toEqual({
      errorClass: "Vagrant::Errors::MachineNotFound",
      message: "The machine with the name 'nosuch' was not found configured for\nthis Vagrant environment."
    })
    expect(errorExit(parseMachineReadable(fixture("ssh-not-running.txt")))).toEqual({
      errorClass: "VagrantPlugins::DockerProvider::Errors::ContainerNotRunningError",
      message: "The container is not currently running."
    })
  })

  it("is undefined when the command succeeded", () => {
    expect(errorExit(parseMachineReadable(fixture("status-running.txt")))).toBeUndefined()
    expect(errorExit([])).toBeUndefined()
  })
})

describe("parseStatus", () => {
  it("reads two not-created machines in output order", () => {
    const machines = right(parseStatus(fixture("status-not-created.txt")))
    expect(machines.map((m) => [m.machine, m.provider, m.state, m.stateShort])).toEqual([
      ["web", "docker", "not_created", "not created"],
      ["db-x", "docker", "not_created", "not created"]
    ])
    expect(machines[0]!.stateLong).toContain("If a machine is not created, only the\ndefault provider")
  })

  it("reads running and stopped captures", () => {
    expect(right(parseStatus(fixture("status-running.txt")))).toEqual([
      {
        machine: "capx",
        provider: "docker",
        state: "running",
        stateShort: "running",
        stateLong:
          "The container is created and running. You can stop it using\n`vagrant halt`, see logs with `vagrant docker-logs`, and\nkill/destroy it with `vagrant destroy`."
      }
    ])
    expect(right(parseStatus(fixture("status-stopped.txt")))[0]).toMatchObject({ machine: "capx", state: "stopped" })
  })

  it("falls back to the metadata provider row", () => {
    expect(right(parseStatus("1,m1,metadata,provider,libvirt\n1,m1,state,shutoff\n"))).toEqual([
      { machine: "m1", provider: "libvirt", state: "shutoff", stateShort: "", stateLong: "" }
    ])
  })

  it("ignores machines that only have metadata rows (e.g. loaded but not queried)", () => {
    const text = "1,a,metadata,provider,docker\n1,b,metadata,provider,docker\n1,b,provider-name,docker\n1,b,state,running\n"
    expect(right(parseStatus(text)).map((m) => m.machine)).toEqual(["b"])
  })

  it("fails with ParseFailed when no machine has a state", () => {
    const e = left(parseStatus(fixture("status-unknown-machine.txt")))
    expect(e._tag).toBe("ParseFailed")
    expect(e.reason).toContain("Vagrant::Errors::MachineNotFound")
    expect(left(parseStatus("")).reason).toBe("no machine-readable lines")
    expect(left(parseStatus("Current machine states:\n\nweb   running (docker)\n")).reason).toBe("no machine-readable lines")
    expect(left(parseStatus("1,,ui,info,hello\n")).reason).toBe("no machine state rows")
  })

  it("fails when a machine has a state but no provider", () => {
    expect(left(parseStatus("1,m1,state,running\n")).reason).toContain("no provider")
  })
})

describe("parseGlobalStatus", () => {
  it("groups the rows that follow each machine-id (target is empty)", () => {
    expect(right(parseGlobalStatus(fixture("global-status.txt")))).toEqual([
      { id: "7795030", provider: "docker", home: "/tmp/vmcap/p", state: "running" },
      { id: "a1b2c3d", provider: "virtualbox", home: "/tmp/vmcap/p, with comma", state: "poweroff" }
    ])
  })

  it("returns an empty list for a real empty index", () => {
    expect(right(parseGlobalStatus(fixture("global-status-empty.txt")))).toEqual([])
  })

  it("fails on text without machine-readable lines", () => {
    expect(left(parseGlobalStatus("id name provider state directory\n")).reason).toBe("no machine-readable lines")
  })

  it("fails when machine-count disagrees with the rows", () => {
    const text = "1,,metadata,machine-count,2\n1,,machine-id,abc1234\n1,,provider-name,docker\n1,,machine-home,/p\n1,,state,running\n"
    expect(left(parseGlobalStatus(text)).reason).toContain("machine-count says 2")
  })

  it("fails when a group lacks a field", () => {
    expect(left(parseGlobalStatus("1,,machine-id,abc1234\n1,,state,running\n")).reason).toContain("abc1234")
  })

  it("fails on an error-exit without machines", () => {
    const text = "1,,error-exit,Vagrant::Errors::Boom,bad%!(VAGRANT_COMMA) really\n"
    expect(left(parseGlobalStatus(text)).reason).toBe("vagrant reported Vagrant::Errors::Boom: bad, really")
  })
})
