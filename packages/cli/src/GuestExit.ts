import * as Data from "effect/Data"

/** Not an error: the guest command's exit code, which becomes `vm`'s own. */
export class GuestExit extends Data.TaggedError("GuestExit")<{ readonly code: number }> {}
