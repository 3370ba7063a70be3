import { describe, expect, it } from "@effect/vitest"
import { defaultTarget, hostSourceProblem, normalizeGuestTarget } from "../../src/temp/mountRules.js"

const HOME = "/home/me"

describe("hostSourceProblem", () => {
  it.each([
    "/", "/etc", "/etc/ssh", "/usr", "/usr/local/src", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/proc", "/proc/1",
    "/sys", "/dev", "/run", "/var", "/var/lib", "/var/lib/docker", "/var/log", "/home", "/root", "/tmp", "/opt",
    "/System/Library", "/private/etc", HOME, `${HOME}/.ssh`, `${HOME}/.vm`, `${HOME}/.vm/temp/x/workspace`, `${HOME}/.gnupg`
  ])("refuses %s", (path) => {
    expect(hostSourceProblem(path, HOME)).toEqual(expect.any(String))
  })

  it.each([
    `${HOME}/src`, `${HOME}/.vmrc-dir`, `${HOME}/projects/.ssh-notes`, "/var/www", "/var/www/site", "/tmp/x", "/opt/app",
    "/srv/data", "/home/other/project", "/etcetera", "/usr2", "/private/tmp/x", "/Users/me/code"
  ])("accepts %s", (path) => {
    expect(hostSourceProblem(path, HOME)).toBeUndefined()
  })

  it("names the reason", () => {
    expect(hostSourceProblem("/", HOME)).toBe("is the root of the file system")
    expect(hostSourceProblem("/etc/x", HOME)).toContain("system directory (/etc)")
    expect(hostSourceProblem(HOME, HOME)).toContain("home directory")
    expect(hostSourceProblem(`${HOME}/.ssh/keys`, HOME)).toContain("~/.ssh")
  })
})

describe("normalizeGuestTarget", () => {
  it.each([
    ["/workspace/src", "/workspace/src"],
    ["/workspace/src/", "/workspace/src"],
    ["//opt//app", "/opt/app"],
    ["/workspace", "/workspace"],
    ["/home/vagrant/code", "/home/vagrant/code"],
    ["/data/it's a \"dir\"", "/data/it's a \"dir\""],
    ["/srv/a:b", "/srv/a:b"]
  ])("%s -> %s", (given, expected) => {
    expect(normalizeGuestTarget(given, "vagrant")).toEqual({ ok: true, target: expected })
  })

  it.each([
    ["relative", "absolute"],
    ["./x", "absolute"],
    ["/", "hide"],
    ["/home", "hide"],
    ["/home/vagrant", "hide"],
    ["/home/vagrant/", "hide"],
    ["/root", "hide"],
    ["/tmp", "hide"],
    ["/etc", "/etc"],
    ["/usr/local/app", "/usr"],
    ["/var/www", "/var"],
    ["/home/vagrant/.ssh", ".ssh"],
    ["/workspace/../etc", "'..'"],
    ["/workspace/./x", "'.'"],
    ["/work\nspace", "control"]
  ])("refuses %j", (given, message) => {
    const result = normalizeGuestTarget(given, "vagrant")
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain(message)
  })

  it("protects the configured guest user's home", () => {
    expect(normalizeGuestTarget("/home/dev", "dev").ok).toBe(false)
    expect(normalizeGuestTarget("/home/dev", "vagrant").ok).toBe(true)
  })
})

describe("defaultTarget", () => {
  it("is /workspace/<basename>", () => {
    expect(defaultTarget("/home/me/my project")).toBe("/workspace/my project")
  })
})

describe("hostSourceProblem: parents of the home directory and control characters", () => {
  it.each([
    ["/var/home", "/var/home/me"],
    ["/export/home", "/export/home/me"],
    ["/data", "/data/me"],
    ["/srv/users", "/srv/users/me/deep/home"]
  ])("%s contains the home directory %s: refused, naming it", (source, home) => {
    expect(hostSourceProblem(source, home)).toContain(home)
  })

  it("a sibling of the home directory (same prefix, other name) is fine", () => {
    expect(hostSourceProblem("/data/me2", "/data/me")).toBeUndefined()
    expect(hostSourceProblem("/data/m", "/data/me")).toBeUndefined()
  })

  it.each(["/srv/a\nb", "/srv/x\n# END SYNCED FOLDERS", "/srv/tab\there", "/srv/esc\x1b[31m", "/srv/del\x7f"])("%j has control characters: refused", (source) => {
    expect(hostSourceProblem(source, HOME)).toContain("control characters")
  })
})
