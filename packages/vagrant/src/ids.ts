/** A UUID/GUID as VirtualBox, libvirt, Hyper-V and Parallels print them (any case). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
