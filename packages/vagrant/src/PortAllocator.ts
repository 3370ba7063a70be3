import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Net from "node:net"

export interface PortAllocatorShape {
  /** A loopback port that is free now and not in `taken`. */
  readonly allocate: (taken: ReadonlyArray<number>) => Effect.Effect<number>
}

/** Picks the per-machine sshd port: containers share the host network, so ports must not clash. */
export class PortAllocator extends Context.Tag("@vm/vagrant/PortAllocator")<PortAllocator, PortAllocatorShape>() {}

const isFree = (port: number) =>
  Effect.async<boolean>((resume) => {
    const server = Net.createServer()
    server.once("error", () => resume(Effect.succeed(false)))
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resume(Effect.succeed(true))))
  })

// Below Linux's ephemeral range (32768+), so outgoing connections do not take our ports.
const FIRST = 20000
const COUNT = 12000

export const PortAllocatorLive = Layer.succeed(PortAllocator, {
  allocate: (taken) =>
    Effect.gen(function*() {
      // random start: concurrent `vm create` runs in other projects rarely pick the same port
      const start = Math.floor(Math.random() * COUNT)
      for (let i = 0; i < COUNT; i++) {
        const port = FIRST + ((start + i) % COUNT)
        if (!taken.includes(port) && (yield* isFree(port))) return port
      }
      return yield* Effect.dieMessage("no free loopback port in 20000-31999")
    })
})

/** Hands out 22001, 22002, … */
export const PortAllocatorTest = Layer.effect(
  PortAllocator,
  Effect.map(Ref.make(22000), (next) => ({
    allocate: (taken: ReadonlyArray<number>) =>
      Ref.modify(next, (n) => {
        let p = n + 1
        while (taken.includes(p)) p++
        return [p, p] as const
      })
  }))
)
