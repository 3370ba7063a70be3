/**
 * Vagrant resolves a name made only of hex digits (`db`, `cafe`) as a prefix of machine ids from
 * any project first, so such instances get a suffix that contains a non-hex letter.
 */
export const machineNameFor = (instance: string): string => /[g-z]/.test(instance) ? instance : `${instance}-vm`

/** Inverse of machineNameFor. */
export const instanceNameFor = (machine: string): string => {
  const m = /^(.*)-vm$/.exec(machine)
  return m && !/[g-z]/.test(m[1]!) ? m[1]! : machine
}
