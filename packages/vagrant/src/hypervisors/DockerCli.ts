import type { CommandFailed, CommandTimeout, ToolNotInstalled } from "@vm/core"
import { ProcessRunner, type RunResult } from "@vm/core/provider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { type CliRun, withDaemonHint } from "./cli.js"

/**
 * docker's answer when no daemon listens where the client looks (DOCKER_HOST, the context) or the user may not
 * use its socket (testing/fixtures/hostChecks.ts); Vagrant's docker provider passes it on in its errors.
 */
export const DOCKER_DAEMON_UNREACHABLE = /Cannot connect to the Docker daemon|permission denied while trying to connect to the Docker daemon/i

export interface DockerCliShape {
  /** Runs `docker <args>`; output captured unless `inherit`. */
  readonly run: (
    args: ReadonlyArray<string>,
    options: { readonly timeoutMs: number | "none"; readonly inherit?: boolean; readonly check?: boolean }
  ) => Effect.Effect<RunResult, CommandFailed | CommandTimeout | ToolNotInstalled>
}

/** The docker CLI, used behind Vagrant's docker provider (logs, state, hard stop). */
export class DockerCli extends Context.Tag("@vm/vagrant/DockerCli")<DockerCli, DockerCliShape>() {}

export const DockerCliLive = Layer.effect(
  DockerCli,
  Effect.map(ProcessRunner, (processes) =>
    DockerCli.of({
      run: (args, options) =>
        processes.run("docker", args, {
          timeoutMs: options.timeoutMs,
          ...(options.inherit ? { stdout: "inherit", stderr: "inherit" } as const : {}),
          ...(options.check === undefined ? {} : { check: options.check }),
          installHint: "Debian/Ubuntu: sudo apt-get install docker.io"
        }).pipe(withDaemonHint({ output: DOCKER_DAEMON_UNREACHABLE, daemon: "the docker daemon" }))
    }))
)

/** A DockerCli over a scripted runner (see `scriptedCli`); "none" timeouts become a day. */
export const DockerCliFake = (run: CliRun) =>
  Layer.succeed(
    DockerCli,
    DockerCli.of({
      run: (args, options) =>
        run(args, {
          timeoutMs: options.timeoutMs === "none" ? 24 * 3600_000 : options.timeoutMs,
          ...(options.check === undefined ? {} : { check: options.check })
        })
    })
  )
