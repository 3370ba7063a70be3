import { embeddedGuestScripts } from "./guest/embedded.js"

/**
 * Shell scripts `vm` sends to guests live as real files in packages/vagrant/src/guest/ (readable,
 * testable with a local `sh`); scripts/embed-guest-scripts.mjs embeds them into guest/embedded.ts at
 * build time, so the compiled package and the CLI bundle carry their text and read no files.
 */
export type GuestScriptName = keyof typeof embeddedGuestScripts

/** The text of a guest script. */
export const guestScript = (name: GuestScriptName): string => embeddedGuestScripts[name]
