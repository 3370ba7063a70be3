import { Data } from "effect"

/** Not an error: the guest command's exit code, which becomes `vm`'s own. */
export class GuestExit extends Data.TaggedError("GuestExit")<{ readonly code: number }> {}
