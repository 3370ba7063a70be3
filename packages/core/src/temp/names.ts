import * as Effect from "effect/Effect"
import { InvalidInput } from "../errors.js"

// Every word has a letter beyond 'f': a name is never read as a hex machine-id prefix by Vagrant.
const ADJECTIVES = [
  "amber", "brisk", "calm", "dusty", "eager", "fuzzy", "gentle", "happy", "icy", "jolly", "kind", "lucky", "misty",
  "noble", "proud", "quiet", "rusty", "sunny", "tidy", "urban", "vivid", "witty", "young", "zesty", "bold", "cosy",
  "merry", "swift", "shiny", "silky", "stormy", "plucky"
] as const
const NOUNS = [
  "otter", "badger", "comet", "dingo", "ember", "falcon", "gecko", "heron", "ibis", "jaguar", "koala", "lemur",
  "marmot", "newt", "orca", "panda", "quokka", "raven", "salmon", "tapir", "urchin", "viper", "walrus", "yak",
  "zebra", "bison", "crow", "lynx", "moose", "puffin", "robin", "stork"
] as const

const pick = <A>(items: ReadonlyArray<A>, random: () => number): A => items[Math.floor(random() * items.length)]!

/** `adjective-noun-NN`, not in `taken`. */
export const generateTempName = (taken: ReadonlyArray<string>, random: () => number = Math.random): string => {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const name = `${pick(ADJECTIVES, random)}-${pick(NOUNS, random)}-${10 + Math.floor(random() * 90)}`
    if (!taken.includes(name)) return name
  }
  throw new Error("no free temp VM name after 1000 attempts")
}

/** Also a valid hostname label and directory name. */
const TEMP_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/

export const validateTempName = (name: string) =>
  TEMP_NAME.test(name)
    ? Effect.succeed(name)
    : Effect.fail(
      new InvalidInput({
        what: `temp VM name '${name}'`,
        reason: "use 1-40 lower-case letters, digits and '-', starting and ending with a letter or digit"
      })
    )
