/**
 * A test-only Vagrantfile that loads the rendered `Vagrantfile.vmtool` and registers a `vm-probe`
 * command. `VAGRANT_VAGRANTFILE=Vagrantfile.probe vagrant vm-probe <provider>` then prints, as JSON,
 * the configuration real Vagrant built from the rendered file (Vagrant loads the Vagrantfile, and
 * so the plugin, before it dispatches the command). `machine_config(name, provider, nil, nil, false)`
 * skips box lookup and the provider's "usable on this host" check.
 */
export const PROBE_FILE = "Vagrantfile.probe"

export const PROBE_VAGRANTFILE = `load File.join(__dir__, 'Vagrantfile.vmtool')
require 'json'

class VmProbeCommand < Vagrant.plugin('2', :command)
  def self.synopsis
    'test only: dumps the config Vagrant built from Vagrantfile.vmtool'
  end

  def ivars(o)
    o.instance_variables.each_with_object({}) do |v, h|
      x = o.instance_variable_get(v)
      h[v.to_s.delete('@')] = x unless x.equal?(Vagrant::Plugin::V2::Config::UNSET_VALUE)
    end
  end

  def execute
    provider = @argv.first.to_sym
    out = {}
    @env.machine_names.each do |name|
      c = @env.vagrantfile.machine_config(name, provider, nil, nil, false)[:config]
      pc = c.vm.get_provider_config(provider)
      out[name] = {
        hostname: c.vm.hostname, box: c.vm.box, guest: c.vm.guest, boot_timeout: c.vm.boot_timeout,
        ssh_host: c.ssh.host, ssh_port: c.ssh.port, synced_folders: c.vm.synced_folders, networks: c.vm.networks,
        provisioners: c.vm.provisioners.map { |p| { name: p.name, type: p.type, run: p.run, config: ivars(p.config) } },
        provider: ivars(pc),
        invalid_provider_settings: (pc.instance_variable_get(:@__invalid_methods) || []).to_a
      }
    end
    STDOUT.write(JSON.generate(out))
    0
  end
end

class VmProbePlugin < Vagrant.plugin('2')
  name 'vm-probe'
  command('vm-probe') { VmProbeCommand }
end
`

export interface ProbedProvisioner {
  readonly name: string
  readonly type: string
  readonly run: string | null
  readonly config: Record<string, unknown>
}

export interface ProbedMachine {
  readonly hostname: string | null
  readonly box: string | null
  readonly guest: string | null
  readonly boot_timeout: number | null
  readonly ssh_host: string | null
  readonly ssh_port: number | null
  readonly synced_folders: Record<string, { hostpath: string; guestpath: string; disabled: boolean } & Record<string, unknown>>
  readonly networks: Array<[string, Record<string, unknown>]>
  readonly provisioners: Array<ProbedProvisioner>
  readonly provider: Record<string, unknown>
  readonly invalid_provider_settings: Array<string>
}
