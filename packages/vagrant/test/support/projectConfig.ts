import { decodeProjectConfig } from "@vm/core/config/decode"
import { Either } from "effect"

/** The smallest valid vm.yaml, decoded (defaults filled in). */
export const emptyProjectConfig = Either.getOrThrow(decodeProjectConfig("project:\n  name: unit\n", "vm.yaml"))
