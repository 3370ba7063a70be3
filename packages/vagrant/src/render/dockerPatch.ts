/**
 * Vagrant's docker provider derives ssh_info from the published port 22 or the container IP; a
 * `--network=host` container has neither, so ssh_info is nil and `vagrant up` waits until
 * boot_timeout. Fall back to loopback so core applies config.ssh.host/port. The guard matters:
 * Vagrant evaluates the Vagrantfile several times per command.
 */
export const DOCKER_HOST_NETWORK_PATCH = `require Vagrant.source_root.join("plugins/providers/docker/provider").to_s
module VmToolDockerHostNetwork
  def ssh_info
    info = (super rescue nil)
    return info if info
    return nil unless state.id == :running
    { host: "127.0.0.1", port: @machine.config.ssh.port || 22 }
  end
end
unless VagrantPlugins::DockerProvider::Provider.ancestors.include?(VmToolDockerHostNetwork)
  VagrantPlugins::DockerProvider::Provider.prepend(VmToolDockerHostNetwork)
end
`
