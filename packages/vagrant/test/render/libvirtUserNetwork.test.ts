import { describe, expect, it } from "vitest"
import { LIBVIRT_USER_NETWORK_PATCH, userNetdev } from "../../src/providers/libvirt.js"
import { renderVagrantfile } from "../../src/render/Vagrantfile.js"
import { linesOf, machine, project, providerBody, renderInput } from "./fixtures.js"

const userNet = (extra: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) =>
  project({ vagrant: { provider: "libvirt", libvirt: { networking: "user", ...extra } }, ...rest })

describe("libvirt with user-mode networking", () => {
  const text = renderVagrantfile(renderInput("libvirt", {
    config: userNet({ isolated: true }, { ports: { web: 3000, _range: [8000, 8001] } }),
    machines: [machine("dev", 22931), machine("db", 22932)]
  }))

  it("patches vagrant-libvirt once, before Vagrant.configure, guarded against re-evaluation", () => {
    expect(text.indexOf(LIBVIRT_USER_NETWORK_PATCH)).toBeGreaterThan(0)
    expect(text.indexOf(LIBVIRT_USER_NETWORK_PATCH)).toBeLessThan(text.indexOf("Vagrant.configure"))
    expect(text.split(LIBVIRT_USER_NETWORK_PATCH).length - 1).toBe(1)
    expect(LIBVIRT_USER_NETWORK_PATCH).toContain("unless VagrantPlugins::ProviderLibvirt::Driver.ancestors.include?")
  })

  it("each machine's ssh goes to its own loopback port", () => {
    const lines = linesOf(text)
    expect(lines).toContain("m.ssh.host = '127.0.0.1'")
    expect(lines).toContain("m.ssh.port = 22931")
    expect(lines).toContain("m.ssh.port = 22932")
  })

  it("one user-mode NIC with ssh and every forwarded port as hostfwd; no management network", () => {
    const body = providerBody(text, "dev-vm")
    expect(body).toContain("lv.mgmt_attach = false")
    expect(body).toContain("lv.qemu_use_agent = true")
    expect(body).toContain(
      "lv.qemuargs value: 'user,id=vmnet0,restrict=on,hostfwd=tcp:127.0.0.1:22931-:22," +
        "hostfwd=tcp:127.0.0.1:3000-:3000,hostfwd=tcp:127.0.0.1:8000-:8000,hostfwd=tcp:127.0.0.1:8001-:8001'"
    )
    expect(body).toContain("lv.qemuargs value: 'virtio-net-pci,netdev=vmnet0,addr=0x1e'")
    // ports are not forwarded a second time through vagrant-libvirt's ssh tunnels
    expect(linesOf(text).filter((l) => l.startsWith("config.vm.network :forwarded_port"))).toEqual([])
  })

  it("nothing in the file addresses anything but the loopback", () => {
    const addresses = [...text.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g)].map((m) => m[1])
    expect(addresses.length).toBeGreaterThan(0)
    expect(addresses.every((a) => a!.startsWith("127."))).toBe(true)
  })

  it("not isolated: no restrict=on; vm.port_binding is where forwarded ports listen, ssh stays on loopback", () => {
    expect(userNetdev(userNet({}, { ports: { web: 3000 }, vm: { port_binding: "127.0.0.2" } }), 2222)).toBe(
      "user,id=vmnet0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.2:3000-:3000"
    )
  })

  it("direct kernel boot and headless settings are passed through", () => {
    const body = providerBody(
      renderVagrantfile(renderInput("libvirt", {
        config: userNet({ kernel: "/boot/vmlinuz", initrd: "/boot/initrd.img", cmd_line: "root=/dev/vda rw", graphics_type: "none", video_type: "none" }),
        machines: [machine("dev", 2200)]
      })),
      "dev-vm"
    )
    expect(body).toEqual(expect.arrayContaining([
      "lv.kernel = '/boot/vmlinuz'",
      "lv.initrd = '/boot/initrd.img'",
      "lv.cmd_line = 'root=/dev/vda rw'",
      "lv.graphics_type = 'none'",
      "lv.video_type = 'none'"
    ]))
  })

  it("a machine without its ssh port cannot be rendered", () => {
    expect(() => renderVagrantfile(renderInput("libvirt", { config: userNet(), machines: [machine("dev", null)] }))).toThrow(/ssh port/)
  })

  it("default networking renders none of it", () => {
    const plain = renderVagrantfile(renderInput("libvirt"))
    expect(plain).not.toContain("VmToolLibvirtUserNetwork")
    expect(plain).not.toContain("qemuargs")
    expect(plain).not.toContain("m.ssh.port")
  })
})

describe("libvirt synced folders", () => {
  const lines = (config: Parameters<typeof renderInput>[1]) =>
    linesOf(renderVagrantfile(renderInput("libvirt", config))).filter((l) => l.startsWith("config.vm.synced_folder '/"))
  const folders = { synced_folders: [{ source: "/srv/ro", target: "/ro", readonly: true }, { source: "/srv/rw", target: "/rw" }] }

  it("user networking: 9p passthrough; read-only is enforced by QEMU and by the guest mount (mount_opts, which the 9p mounter reads)", () => {
    expect(lines({ config: userNet({}, folders), machines: [machine("dev", 2200)] })).toEqual([
      "config.vm.synced_folder '/home/u/demo', '/workspace', type: '9p', accessmode: 'passthrough'",
      "config.vm.synced_folder '/srv/ro', '/ro', type: '9p', accessmode: 'passthrough', readonly: true, mount_opts: 'ro'",
      "config.vm.synced_folder '/srv/rw', '/rw', type: '9p', accessmode: 'passthrough'"
    ])
  })

  it("an explicit type wins; without user networking vagrant-libvirt's default is left alone", () => {
    expect(lines({ config: userNet({ synced_folder_type: "rsync" }, folders), machines: [machine("dev", 2200)] })[1])
      .toBe("config.vm.synced_folder '/srv/ro', '/ro', type: 'rsync', mount_options: ['ro']")
    expect(lines({ config: project(folders) })[1]).toBe("config.vm.synced_folder '/srv/ro', '/ro', mount_options: ['ro']")
  })
})
