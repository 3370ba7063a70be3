import { ParseFailed, type ProjectConfig } from "@vm/core"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { forwardedPorts } from "../render/settings.js"
import { shellJoin } from "../shell.js"

const Count = Schema.NullOr(Schema.Number.pipe(Schema.nonNegative()))

/** The one JSON object guest/metrics.sh prints. Sizes in KB as the kernel reports them. */
export const GuestMetrics = Schema.Struct({
  version: Schema.Literal(1),
  container: Schema.Boolean,
  uptimeSeconds: Count,
  cpuPercent: Count,
  /** Length of the CPU window in centiseconds (absent from outputs recorded before it existed). */
  cpuWindowCs: Schema.optionalWith(Count, { default: () => null }),
  cpuCount: Count,
  memoryUsedKb: Count,
  memoryLimitKb: Count,
  diskUsedKb: Count,
  diskTotalKb: Count,
  services: Schema.Array(Schema.Struct({
    name: Schema.String,
    running: Schema.NullOr(Schema.Boolean),
    detail: Schema.NullOr(Schema.String),
    error: Schema.NullOr(Schema.String)
  })),
  errors: Schema.Array(Schema.String)
})
export type GuestMetrics = typeof GuestMetrics.Type

const decode = Schema.decodeUnknown(Schema.parseJson(GuestMetrics), { onExcessProperty: "ignore" })

/**
 * Decodes the script's stdout: its last line (a guest's shell start-up files may print before it).
 * Anything else is a ParseFailed carrying the whole text.
 */
export const decodeGuestMetrics = (text: string): Effect.Effect<GuestMetrics, ParseFailed> =>
  decode(text.trimEnd().split("\n").at(-1) ?? "").pipe(
    Effect.mapError((e) =>
      new ParseFailed({ what: "guest metrics", input: text, reason: ParseResult.TreeFormatter.formatErrorSync(e) })
    )
  )

/** A service from vm.yaml as the status report probes and shows it. */
export interface ServiceProbe {
  readonly name: string
  readonly process: string | undefined
  readonly unit: string | undefined
  readonly port: number | undefined
  /** Where the port is reachable from the host, when it is. */
  readonly hostPort: number | null
}

/**
 * The enabled services of vm.yaml, in file order. Host port: the configured `host_port`, else the
 * guest port itself when guest ports are host ports (the docker provider's host network) or `ports:` forwards it.
 */
export const serviceProbes = (config: ProjectConfig, guestPortsAreHostPorts: boolean): ReadonlyArray<ServiceProbe> => {
  const forwarded = new Set(forwardedPorts(config).map((p) => p.port))
  return Object.entries(config.services)
    .filter(([, s]) => s.enabled)
    .map(([name, s]) => ({
      name,
      process: s.process,
      unit: s.unit,
      port: s.port,
      hostPort: s.host_port ?? (s.port !== undefined && (guestPortsAreHostPorts || forwarded.has(s.port)) ? s.port : null)
    }))
}

export interface MetricsOptions {
  /** The guest is a container sharing the host kernel (docker provider). */
  readonly container: boolean
  /** Shortest CPU window in centiseconds: the guest sleeps this long unless it can reuse a reading. */
  readonly sampleCs: number
  /** A previous run's CPU reading up to this old (centiseconds) starts the window instead; 0 = never. */
  readonly reuseCs: number
}

/** The remote command: `sh` reads the script from stdin, the arguments say what to probe. */
export const metricsCommand = (probes: ReadonlyArray<ServiceProbe>, options: MetricsOptions): string =>
  shellJoin([
    "sh",
    "-s",
    "--",
    ...(options.container ? ["--container"] : []),
    "--sample-cs",
    String(options.sampleCs),
    "--reuse-cs",
    String(options.reuseCs),
    ...probes.flatMap((p) => ["--service", p.name, p.process ?? "", p.unit ?? "", p.port === undefined ? "" : String(p.port)])
  ])
