import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { parseMachineReadable } from "../src/machineReadable.js"
import { loopbackSshConfig, parseSshConfig, renderSshConfig } from "../src/sshConfig.js"

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")

// `vagrant ssh-config` of a running docker machine whose folder has a space (Vagrant 2.3.4).
const REAL = fixture("ssh-config.txt")
const KEY = "/tmp/vmcap/run dir/.vagrant/machines/capx/docker/private_key"

// Vagrant's template prints an empty line around each IdentityFile when there are several keys.
const TWO_MACHINES = `Host m1
  HostName 127.0.0.1
  User vagrant
  Port 22211
  UserKnownHostsFile /dev/null
  StrictHostKeyChecking no
  PasswordAuthentication no

  IdentityFile /w/p1/.vagrant/machines/m1/docker/private_key

  IdentityFile /home/u/.vagrant.d/insecure_private_key
  IdentitiesOnly yes
  LogLevel FATAL
  ProxyCommand ssh -W %h:%p "jump host"

Host m2
  HostName=10.0.0.5
  Port 2200
`

describe("parseSshConfig", () => {
  it("parses a real capture, unquoting the IdentityFile with a space", () => {
    expect(parseSshConfig(REAL)).toEqual([
      {
        host: "capx",
        options: {
          hostname: "127.0.0.1",
          user: "vagrant",
          port: "22977",
          userknownhostsfile: "/dev/null",
          stricthostkeychecking: "no",
          passwordauthentication: "no",
          identityfile: KEY,
          identitiesonly: "yes",
          loglevel: "FATAL"
        },
        identityFiles: [KEY]
      }
    ])
  })

  it("parses the ssh-config row of --machine-readable output", () => {
    const row = parseMachineReadable(fixture("ssh-config-machine-readable.txt")).find((r) => r.type === "ssh-config")
    expect(parseSshConfig(row!.data[0]!)).toEqual(parseSshConfig(REAL))
  })

  it("handles several hosts, blank lines, Key=value and repeated IdentityFile", () => {
    const [m1, m2] = parseSshConfig(TWO_MACHINES)
    expect(m1!.options.identityfile).toBe("/w/p1/.vagrant/machines/m1/docker/private_key")
    expect(m1!.identityFiles).toEqual([
      "/w/p1/.vagrant/machines/m1/docker/private_key",
      "/home/u/.vagrant.d/insecure_private_key"
    ])
    // the rest of a command line is the shell's; its quotes stay
    expect(m1!.options.proxycommand).toBe("ssh -W %h:%p \"jump host\"")
    expect(m2).toEqual({ host: "m2", options: { hostname: "10.0.0.5", port: "2200" }, identityFiles: [] })
  })

  it("keeps the first value of a repeated keyword, as ssh does", () => {
    expect(parseSshConfig("Host a\n  Port 1\n  port 2\n")[0]!.options).toEqual({ port: "1" })
  })

  it("skips comments, text before the first Host, and keyword-only lines", () => {
    expect(parseSshConfig("# c\nUser root\nHost a\n  # x\n  Compression\n  User me\n")).toEqual([
      { host: "a", options: { user: "me" }, identityFiles: [] }
    ])
    expect(parseSshConfig("")).toEqual([])
  })

  it("does not let keywords reach Object.prototype", () => {
    const [entry] = parseSshConfig("Host a\n  __proto__ x\n  constructor y\n")
    expect(Object.getPrototypeOf(entry!.options)).toBe(Object.prototype)
    expect(entry!.options).toEqual({ constructor: "y" })
  })
})

describe("renderSshConfig", () => {
  it("reproduces Vagrant's real output byte for byte (minus its trailing blank line)", () => {
    expect(renderSshConfig(parseSshConfig(REAL))).toBe(REAL.replace(/\n+$/, "\n"))
  })

  it("round-trips through parse", () => {
    for (const text of [REAL, TWO_MACHINES]) {
      const parsed = parseSshConfig(text)
      expect(parseSshConfig(renderSshConfig(parsed))).toEqual(parsed)
    }
  })

  it("renders every IdentityFile and canonical keyword case", () => {
    const text = renderSshConfig(parseSshConfig(TWO_MACHINES))
    expect(text).toContain("  IdentityFile /w/p1/.vagrant/machines/m1/docker/private_key\n  IdentityFile /home/u/.vagrant.d/insecure_private_key\n")
    expect(text).toContain("  ProxyCommand ssh -W %h:%p \"jump host\"\n")
    expect(text).toContain("Host m2\n  HostName 10.0.0.5\n  Port 2200\n")
  })

  it("renders entries built by hand (options only)", () => {
    expect(
      renderSshConfig([
        { host: "vm", options: { hostname: "127.0.0.1", controlpath: "/tmp/a b/%C", empty: "", serveraliveinterval: "5" } }
      ])
    ).toBe("Host vm\n  HostName 127.0.0.1\n  ControlPath \"/tmp/a b/%C\"\n  empty \"\"\n  ServerAliveInterval 5\n")
  })

  it("refuses values ssh_config cannot express", () => {
    expect(() => renderSshConfig([{ host: "a", options: { user: "x\ny" } }])).toThrow(/line break/)
    expect(() => renderSshConfig([{ host: "a\n", options: {} }])).toThrow(/line break/)
    expect(() => renderSshConfig([{ host: "a", options: { identityfile: "/a\"b c" } }])).toThrow(/double quote/)
  })
})

describe("loopbackSshConfig", () => {
  it("is what Vagrant prints for a machine on a loopback port vm allocated, line for line", () => {
    const known = loopbackSshConfig({ host: "capx", port: 22977, user: "vagrant", identityFile: KEY })
    // Vagrant ends its output with an empty line
    expect(known).toBe(REAL.replace(/\n+$/, "\n"))
    expect(parseSshConfig(known)).toEqual(parseSshConfig(REAL))
  })

  it("another login user, and paths ssh_config must quote or cannot hold", () => {
    const known = loopbackSshConfig({ host: "dev", port: 2200, user: "dev user", identityFile: "/p/a b/private_key" })
    expect(parseSshConfig(known)).toEqual([expect.objectContaining({
      host: "dev",
      options: expect.objectContaining({ user: "dev user", port: "2200", identityfile: "/p/a b/private_key", hostname: "127.0.0.1" })
    })])
    expect(() => loopbackSshConfig({ host: "dev", port: 2200, user: "u", identityFile: "/p/\"q/key" })).toThrow(/double quote/)
  })
})
