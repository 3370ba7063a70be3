import { ConfigInvalid, type GlobalConfig, InvalidInput, type ProjectConfig } from "@vm/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { HostUser } from "../hypervisors/HostTools.js"
import { DOCKER_HOST_NETWORK_PATCH } from "../render/dockerPatch.js"
import { rubyString, rubyValue } from "../ruby.js"
import { shellJoin } from "../shell.js"
import { containerName, resolveDockerImage, resolveProviderSettings, resolveUser, userDockerCreateArgs } from "../render/settings.js"
import { fail, ok, warn } from "../doctor/Check.js"
import { DOCKER_DAEMON_UNREACHABLE } from "../hypervisors/DockerCli.js"
import { failure, toolCheck } from "./doctorChecks.js"
import type { DoctorEnv, ProviderEnv, ProviderModule, StateAnswer } from "./Provider.js"
import { askVagrantInstead, providerBlock, shortId, transitional, withValidId } from "./shared.js"

/** Built by scripts/build-image.sh; the docker provider's default "box". */
export const DEFAULT_DOCKER_IMAGE = "vm-local/debian:bookworm"

/** The one user the local base image has (scripts/build-image.sh). */
const IMAGE_USER = "vagrant"
/** Its ids there (the image's first `useradd`). */
const IMAGE_USER_IDS: HostUser = { uid: 1000, gid: 1000 }
/** The largest uid/gid Linux accepts: (uid_t)-1 = 4294967295 means "no id" to the kernel. */
export const MAX_ID = 4294967294

const validId = (id: number) => Number.isInteger(id) && id >= 0 && id <= MAX_ID

/**
 * The ids the local image's entrypoint (vm-sshd, scripts/build-image.sh) gives `vagrant` on the
 * container's first start, before sshd runs: the host user's, so what the guest writes into the
 * workspace and rw bind mounts belongs to the host user (Dev Containers' `updateRemoteUserUID`).
 * A root host user gives a guest user with uid 0, non-unique (see the README). Undefined: the image's
 * own 1000:1000 stays — no POSIX ids on the host, the same ids already, or another image (its
 * entrypoint knows nothing of them). Fixed when the container is created (`docker run -e`).
 */
export const guestUserIds = (
  config: ProjectConfig,
  global: GlobalConfig,
  dockerImageDefault: string,
  hostUser: HostUser | null
): HostUser | undefined => {
  if (hostUser === null || resolveDockerImage(config, global, dockerImageDefault) !== dockerImageDefault) return undefined
  if (!validId(hostUser.uid) || !validId(hostUser.gid)) {
    throw new Error(`host user ids ${hostUser.uid}:${hostUser.gid} are not a uid:gid (each 0-${MAX_ID})`)
  }
  return hostUser.uid === IMAGE_USER_IDS.uid && hostUser.gid === IMAGE_USER_IDS.gid ? undefined : hostUser
}

/** The container environment vm-sshd reads the guest user's ids from. */
const guestUserEnv = (ids: HostUser | undefined): Record<string, string> =>
  ids === undefined ? {} : { VM_HOST_UID: String(ids.uid), VM_HOST_GID: String(ids.gid) }

const DockerState = Schema.parseJson(Schema.Struct({ Status: Schema.String, StartedAt: Schema.optional(Schema.String) }))

/**
 * docker's container status → the raw id: Vagrant's docker provider says `running` for running,
 * paused and restarting containers (plugins/providers/docker/driver.rb `state`); vm keeps the last
 * two apart because a paused guest cannot answer. created/exited/dead/removing are `stopped`.
 */
export const dockerRawState = (status: string): string => {
  switch (status) {
    case "running":
    case "paused":
    case "restarting":
      return status
    case "":
      return "unknown"
    default:
      return "stopped"
  }
}

/** `docker inspect` answers, one line per container: `<full id> <State as JSON>`; unknown ids on stderr. */
export const parseDockerStates = (stdout: string, stderr: string, queries: ReadonlyArray<{ readonly machine: string; readonly id: string }>) => {
  const states = new Map<string, { Status: string; StartedAt?: string | undefined }>()
  for (const line of stdout.split(/\r?\n/)) {
    const space = line.indexOf(" ")
    if (space <= 0) continue
    const decoded = Schema.decodeUnknownEither(DockerState)(line.slice(space + 1))
    if (Either.isRight(decoded)) states.set(line.slice(0, space), decoded.right)
  }
  const gone = /no such (container|object)/i.test(stderr)
  return queries.map(({ id, machine }): StateAnswer | undefined => {
    const state = [...states].find(([full]) => full === id || full.startsWith(id))?.[1]
    if (state !== undefined) return { machine, raw: dockerRawState(state.Status), since: state.StartedAt ?? null }
    return gone ? { machine, raw: "not_created", since: null } : undefined
  })
}

/** One container's raw state, for the kill ladder's polls; a container docker does not know is `not_created`. */
const inspectState = (env: ProviderEnv, id: string, timeoutMs: number) =>
  env.tools.docker.run(["inspect", "--format", "{{.State.Status}}", id], { timeoutMs, check: false }).pipe(
    Effect.flatMap((r) =>
      r.exitCode === 0
        ? Effect.succeed(dockerRawState(r.stdout.trim()))
        : /no such (container|object)/i.test(r.stderr)
        ? Effect.succeed("not_created")
        : Effect.fail(new InvalidInput({ what: "docker inspect", reason: r.stderr.trim() || `exit ${r.exitCode}` }))
    )
  )

/**
 * The local image's first revision whose entrypoint gives the guest user the host user's ids
 * (scripts/build-image.sh, label dev.vm.image-rev): an older one ignores them, and the workspace is then
 * not writable by the guest user.
 */
export const LOCAL_IMAGE_MIN_REV = 3
const IMAGE_INSPECT_FORMAT = "{{.Id}} {{json .Config.Labels}}"

/** Pure: the `docker image inspect --format IMAGE_INSPECT_FORMAT` line → short id and the image-rev label (if any). */
export const parseImageInspect = (stdout: string): { readonly shortId: string; readonly rev: number | undefined } => {
  const line = stdout.trim()
  const space = line.indexOf(" ")
  const id = (space < 0 ? line : line.slice(0, space)).replace(/^sha256:/, "").slice(0, 12)
  let rev: number | undefined
  try {
    const labels: unknown = JSON.parse(space < 0 ? "null" : line.slice(space + 1))
    const value = typeof labels === "object" && labels !== null ? (labels as Record<string, unknown>)["dev.vm.image-rev"] : undefined
    if (typeof value === "string" && /^\d+$/.test(value)) rev = Number(value)
  } catch {
    // not JSON: no labels to read
  }
  return { shortId: id, rev }
}

const imageCheck = (image: string, stdout: string) => {
  const { rev, shortId } = parseImageInspect(stdout)
  if (image !== DEFAULT_DOCKER_IMAGE) return ok(`${image} (${shortId})`)
  return rev !== undefined && rev >= LOCAL_IMAGE_MIN_REV
    ? ok(`${image} (${shortId}, rev ${rev})`)
    : fail(
      `the base image ${image} is rev ${rev ?? "unknown"}, older than ${LOCAL_IMAGE_MIN_REV}: its guest user keeps uid 1000, so the workspace is not writable unless yours is 1000 too`,
      "rebuild it: sudo bash scripts/setup-host.sh (then `vm restart` recreates machines made from the old image)"
    )
}

const dockerHostOf = (env: DoctorEnv) => env.environment["DOCKER_HOST"] || undefined

const daemonFix = (env: DoctorEnv, output: string) => {
  const dockerHost = dockerHostOf(env)
  if (/permission denied/i.test(output)) return "add your user to the docker group: sudo usermod -aG docker $USER, then log in again"
  if (dockerHost !== undefined) {
    return `DOCKER_HOST=${dockerHost} is where docker looks for the daemon: start the daemon there, or unset DOCKER_HOST`
  }
  return "start the docker daemon: sudo systemctl start docker (in this repository: sudo bash scripts/setup-host.sh)"
}

const dockerDoctor: ProviderModule["doctor"] = {
  plugins: [],
  daemonUnreachable: DOCKER_DAEMON_UNREACHABLE,
  checks: (env) => {
    const image = resolveDockerImage(env.config, env.global, DEFAULT_DOCKER_IMAGE)
    const at = dockerHostOf(env) === undefined ? "" : ` at ${dockerHostOf(env)}`
    return [
      {
        name: "daemon",
        fix: "restart the docker daemon (sudo systemctl restart docker)",
        run: toolCheck(
          env.tools.docker.run(["version", "--format", "{{.Server.Version}}"], { timeoutMs: env.timeoutMs, check: false }),
          (r) =>
            r.exitCode === 0 && r.stdout.trim() !== ""
              ? ok(`docker engine ${r.stdout.trim()}${at}`)
              : fail(`no docker daemon answers${at}: ${failure(r)}`, daemonFix(env, r.stderr)),
          {
            missing: "install docker: Debian/Ubuntu: sudo apt-get install docker.io",
            hang: `the docker daemon${at} accepts connections but does not answer: restart it (sudo systemctl restart docker)`
          }
        )
      },
      {
        name: `image ${image}`,
        after: ["daemon"],
        fix: "check the docker daemon",
        run: toolCheck(
          env.tools.docker.run(["image", "inspect", "--format", IMAGE_INSPECT_FORMAT, image], { timeoutMs: env.timeoutMs, check: false }),
          (r) =>
            r.exitCode === 0
              ? imageCheck(image, r.stdout)
              : !/no such image/i.test(r.stderr)
              ? fail(failure(r), daemonFix(env, r.stderr))
              : image === DEFAULT_DOCKER_IMAGE
              // built on this host, no registry has it
              ? fail(`the base image ${image} is not built`, "build it: sudo bash scripts/build-image.sh (or sudo bash scripts/setup-host.sh)")
              : warn(`${image} is not pulled yet; docker pulls it at the first \`vm create\``, shellJoin(["docker", "pull", image])),
          { missing: "install docker: Debian/Ubuntu: sudo apt-get install docker.io", hang: "restart the docker daemon (sudo systemctl restart docker)" }
        )
      }
    ]
  },
  // the daemon's data root, where images and containers live; a remote daemon's disk cannot be measured from here
  machineDirectory: (env) =>
    dockerHostOf(env) !== undefined && !dockerHostOf(env)!.startsWith("unix://")
      ? Effect.succeed(Option.none())
      : env.tools.docker.run(["info", "--format", "{{.DockerRootDir}}"], { timeoutMs: env.timeoutMs }).pipe(
        Effect.map((r) => Option.some(r.stdout.trim()).pipe(Option.filter((dir) => dir.startsWith("/"))))
      )
}

/** Vagrant's docker provider (plugins/providers/docker), with the host network and a loopback sshd per machine. */
export const docker: ProviderModule = {
  name: "docker",
  title: "Docker (Vagrant's docker provider)",
  states: {
    stopped: "stopped",
    // Vagrant calls these `running`; vm reads them from `docker inspect` (a paused guest cannot answer)
    paused: "suspended",
    host_state_unknown: "unknown",
    ...transitional("preparing", "restarting")
  },
  offState: "stopped",
  savedStates: [],
  machineId: { valid: (id) => /^[0-9a-f]{12,64}$/.test(id), expected: "a container id", sample: (_machine, hex) => hex + hex },
  guestIsContainer: true,
  guestPortsAreHostPorts: true,
  hostTools: ["docker"],
  doctor: dockerDoctor,
  render: {
    ownsSshPort: () => true,
    preamble: () => [DOCKER_HOST_NETWORK_PATCH],
    knownDebianGuest: (input) =>
      resolveDockerImage(input.config, input.global, input.dockerImageDefault) === input.dockerImageDefault,
    forwardsPorts: () => false,
    noPortsNote: "docker runs with --network=host: guest ports are host ports, nothing to forward",
    machineLines: (_input, m) => {
      if (m.sshPort === null || !Number.isInteger(m.sshPort) || m.sshPort < 1 || m.sshPort > 65535) {
        throw new Error(`docker machine ${m.machine} needs an ssh port, got ${m.sshPort}`)
      }
      return [
        "m.ssh.host = '127.0.0.1'",
        `m.ssh.port = ${m.sshPort}`,
        // the implicit ssh forward would become `-p 127.0.0.1:2222:22`, meaningless with host networking
        `m.vm.network :forwarded_port, id: 'ssh', guest: 22, host: ${m.sshPort}, disabled: true`
      ]
    },
    block: (input) => {
      if (input.sshPort === null) throw new Error(`docker machine ${input.machine} needs an ssh port`)
      const { memory, cpus } = resolveProviderSettings(input.config, input.global)
      const createArgs = [
        "--network=host",
        "--label", `dev.vm.root=${input.projectRoot}`,
        "--label", `dev.vm.machine=${input.machine}`,
        ...(memory === undefined ? [] : [`--memory=${memory}m`]),
        ...(cpus === undefined ? [] : [`--cpus=${cpus}`]),
        ...userDockerCreateArgs(input.config, input.global)
      ]
      return providerBlock("docker", "d", [
        `d.image = ${rubyString(resolveDockerImage(input.config, input.global, input.dockerImageDefault))}`,
        "d.has_ssh = true",
        `d.name = ${rubyString(containerName(input.config.project.name, input.machine, input.projectRoot))}`,
        `d.create_args = ${rubyValue(createArgs)}`,
        // read by the image's sshd wrapper: the machine's own loopback port, and the ids the guest user takes
        `d.env = ${
          rubyValue({
            SSH_PORT: String(input.sshPort),
            ...guestUserEnv(guestUserIds(input.config, input.global, input.dockerImageDefault, input.hostUser))
          })
        }`
      ])
    },
    // docker appends docker_consistency verbatim to `-v host:guest`, giving `:ro`
    folderOptions: (_config, readonly) => (readonly ? ", docker_consistency: 'ro'" : ""),
    configProblem: (ctx, globalFile) => {
      const user = resolveUser(ctx.config, ctx.global)
      if (user === undefined || user === IMAGE_USER) return undefined
      // the default image only: another image may well have the user
      if (resolveDockerImage(ctx.config, ctx.global, DEFAULT_DOCKER_IMAGE) !== DEFAULT_DOCKER_IMAGE) return undefined
      const [file, key] = ctx.config.vm.user !== undefined ? [ctx.configFile, "vm.user"] : [globalFile, "defaults.user"]
      return new ConfigInvalid({
        file,
        key,
        reason: `the docker image ${DEFAULT_DOCKER_IMAGE} has no user '${user}' (only '${IMAGE_USER}'); ` +
          `remove the key or use an image/box that has this user`
      })
    }
  },
  // image, create args, limits, hostname and bind mounts are fixed when the container is created
  hardwareChange: "recreate",
  base: (config, global, dockerImageDefault, hostUser) => {
    const ids = guestUserIds(config, global, dockerImageDefault, hostUser)
    return {
      box: null,
      image: resolveDockerImage(config, global, dockerImageDefault),
      createArgs: [...userDockerCreateArgs(config, global)],
      ...(ids === undefined ? {} : { guestUser: `${ids.uid}:${ids.gid}` })
    }
  },
  mountPathProblem: (source, target) =>
    source.includes(":") || target.includes(":")
      ? "the docker provider passes mounts as `-v host:guest`, which cannot carry a ':' inside a path"
      : undefined,
  queryStates: (env, queries, timeoutMs) =>
    env.tools.docker.run(["inspect", "--type", "container", "--format", "{{.Id}} {{json .State}}", ...queries.map((q) => q.id)], {
      timeoutMs,
      check: false
    }).pipe(
      Effect.map((r) => parseDockerStates(r.stdout, r.stderr, queries)),
      Effect.catchAll(askVagrantInstead(queries))
    ),
  hardStop: (env, id) => ({
    command: () => `docker kill ${shortId(id)}`,
    query: (timeoutMs) => withValidId(docker, id, (cid) => inspectState(env, cid, timeoutMs)),
    stop: (timeoutMs) => withValidId(docker, id, (cid) => env.tools.docker.run(["kill", cid], { timeoutMs }))
  }),
  orphans: {
    // vm names every container (d.name), so a container whose data directory was lost is found by name
    find: (env, { machine, projectRoot }, timeoutMs) =>
      env.tools.docker.run(
        ["inspect", "--type", "container", "--format", "{{.Id}}", containerName(env.config.project.name, machine, projectRoot)],
        { timeoutMs, check: false }
      ).pipe(Effect.map((r) => (r.exitCode === 0 && r.stdout.trim() !== "" ? Option.some(r.stdout.trim()) : Option.none()))),
    remove: (env, id, timeoutMs) => withValidId(docker, id, (cid) => env.tools.docker.run(["rm", "-f", "-v", cid], { timeoutMs })),
    manualRemoval: (_env, id) => `docker rm -f -v ${id}`
  },
  // Vagrant's docker provider inspects every container on the host while it boots one; another container
  // removed at that moment (a parallel test run, CI) fails the whole `up` with "No such object: <id>"
  transientBootFailure: (output) => /No such object: [0-9a-f]{12,64}/.test(output),
  // Vagrant's own destroy runs `docker rm -f -v`; `vagrant up` then finds the container gone and creates it again
  discard: (env, id, timeoutMs) => withValidId(docker, id, (cid) => env.tools.docker.run(["rm", "-f", "-v", cid], { timeoutMs })),
  hostLogs: (env, id, options) =>
    env.tools.docker.run(["logs", "--tail", String(options.tail), ...(options.follow ? ["--follow"] : []), id], {
      timeoutMs: options.follow ? "none" : options.timeoutMs,
      inherit: true
    })
}

