import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeGlobalConfig, decodeProjectConfig } from "../src/config/decode.js"

const project = (yaml: string) => decodeProjectConfig(yaml, "/p/vm.yaml")
const errorOf = (yaml: string) => {
  const result = project(yaml)
  if (Either.isRight(result)) throw new Error("expected a failure")
  return result.left
}

describe("vm.yaml decoding", () => {
  it("applies defaults", () => {
    const config = Either.getOrThrow(project("project:\n  name: shop-api\n"))
    expect(config.project.workspace_path).toBe("/workspace")
    expect(config.vm).toEqual({})
    expect(config.ports).toEqual({})
    expect(config.synced_folders).toEqual([])
  })

  it("accepts the reference tool's Vagrant keys", () => {
    const config = Either.getOrThrow(project(`
project: { name: shop-api, hostname: dev.shop-api.local, workspace_path: /workspace }
vm: { box: ubuntu/jammy64, memory: 4096, cpus: 2, user: developer, port_binding: 127.0.0.1, gui: false }
ports: { web: 3000, _range: [3100, 3109] }
services: { postgresql: { enabled: true, port: 5432 }, redis: { enabled: false } }
environment: { NODE_ENV: development, DEBUG: 1 }
provision: "echo hi"
vagrant: { provider: virtualbox, virtualbox: { linked_clone: true } }
`))
    expect(config.vm.memory).toBe(4096)
    expect(config.ports["_range"]).toEqual([3100, 3109])
    expect(config.services["postgresql"]?.enabled).toBe(true)
    expect(config.vagrant.provider).toBe("virtualbox")
  })

  it("accepts memory: unlimited", () => {
    expect(Either.getOrThrow(project("project: {name: a}\nvm: {memory: unlimited}\n")).vm.memory).toBe("unlimited")
  })

  it.each([
    ["project: {name: a}\nvm: {memory: 64}\n", "vm.memory"],
    ["project: {name: a}\nvm: {cpus: 0}\n", "vm.cpus"],
    ["project: {name: 'bad name'}\n", "project.name"],
    ["project: {name: a, workspace_path: relative}\n", "project.workspace_path"],
    ["project: {name: a}\nports: {web: 70000}\n", "ports.web"],
    ["project: {name: a}\nports: {_range: [10, 5]}\n", "ports._range"],
    ["project: {name: a}\nports: {web: [1, 2]}\n", "ports.web"],
    ["project: {name: a}\nvagrant: {provider: qemu}\n", "vagrant.provider"],
    ["project: {name: a}\nenvironment: {'1BAD': x}\n", "environment.1BAD"],
    ["project: {name: a}\nvm: {memroy: 512}\n", "vm.memroy"],
    ["vm: {memory: 512}\n", "project"]
  ])("names the offending key: %s", (yaml, key) => {
    const error = errorOf(yaml)
    expect(error._tag).toBe("ConfigInvalid")
    expect(error.key).toBe(key)
    expect(error.message).toContain(`'${key}'`)
    expect(error.message).toContain("/p/vm.yaml")
  })

  it("reports unknown keys as such", () => {
    expect(errorOf("project: {name: a}\nvm: {memroy: 512}\n").reason).toBe("unknown key")
  })

  it("reports YAML syntax errors with a line", () => {
    const error = errorOf("project:\n  name: [unclosed\n")
    expect(error.key).toBe("")
    expect(error.message).toMatch(/not valid YAML at line \d+/)
  })

  it("rejects duplicate keys", () => {
    expect(errorOf("project: {name: a}\nproject: {name: b}\n").message).toContain("not valid YAML")
  })
})

describe("global config decoding", () => {
  it("an empty file gives defaults", () => {
    const config = Either.getOrThrow(decodeGlobalConfig("", "/h/.vm/config.yaml"))
    expect(config.defaults).toEqual({})
    expect(config.environment).toEqual({})
  })

  it("names the offending key", () => {
    const result = decodeGlobalConfig("defaults: {memory: lots}\n", "/h/.vm/config.yaml")
    expect(Either.isLeft(result) && result.left.key).toBe("defaults.memory")
  })
})
