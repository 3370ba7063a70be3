import { createHash } from "node:crypto"

/** Hex sha256 of a text: the one hash vm keeps of files, settings and secrets. */
export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")
