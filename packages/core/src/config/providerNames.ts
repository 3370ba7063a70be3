/** Vagrant providers `vm` can render a Vagrantfile for (plain data: the CLI's options read it at start-up). */
export const VAGRANT_PROVIDER_NAMES = ["virtualbox", "vmware_desktop", "hyperv", "libvirt", "parallels", "docker"] as const
