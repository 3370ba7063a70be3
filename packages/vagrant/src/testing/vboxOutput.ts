/**
 * How VBoxManage prints a string value with `--machinereadable`: in double quotes, with `"` and `\`
 * escaped by a backslash and nothing else (VBoxManageInfo.cpp, outputMachineReadableStringWorker;
 * see fixtures/vboxmanage.ts). The inverse of the reader in hypervisors/vboxInfo.ts.
 */
export const vboxString = (value: string): string => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/** VBoxManage's answer (stderr, exit 1) for a uuid VirtualBox has no machine for (fixtures/vboxmanage.ts). */
export const vboxNotFound = (uuid: string): string =>
  [
    `VBoxManage: error: Could not find a registered machine with UUID {${uuid}}`,
    "VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports",
    `VBoxManage: error: Context: "FindMachine(Bstr(VMNameOrUuid).raw(), machine.asOutParam())" at line 2890 of file VBoxManageInfo.cpp`,
    ""
  ].join("\n")
