/**
 * Vagrant resolves a name made only of hex digits (`db`, `cafe`) as a prefix of machine ids from
 * any project first, so such instances get a suffix that contains a non-hex letter.
 */
export const machineNameFor = (instance: string): string => /[g-z]/.test(instance) ? instance : `${instance}-vm`
