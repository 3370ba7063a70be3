import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { VAGRANT_PROVIDER_NAMES } from "@vm/core/config/providerNames"
import { lazily } from "../lazy.js"
import { jsonOption } from "./options.js"
import { allOption, freshOption, watchOption } from "./statusOptions.js"

const run = () => import("../run/temp.js")

const nameOption = Options.text("name").pipe(
  Options.withAlias("n"),
  Options.withDescription("Temp VM name or a unique prefix (default: the only temp VM)"),
  Options.optional
)

export const create = Command.make(
  "create",
  {
    mounts: Args.text({ name: "MOUNT" }).pipe(
      Args.withDescription("SOURCE[:TARGET][:ro|rw]; TARGET defaults to /workspace/<basename>, mode to rw"),
      Args.repeated
    ),
    name: Options.text("name").pipe(Options.withAlias("n"), Options.withDescription("Name (default: generated)"), Options.optional),
    provider: Options.choice("provider", VAGRANT_PROVIDER_NAMES).pipe(
      Options.withDescription("Vagrant provider (default: defaults.provider in ~/.vm/config.yaml, else auto-detected)"),
      Options.optional
    ),
    autoDestroy: Options.boolean("auto-destroy").pipe(Options.withDescription("Open a shell; destroy the VM when it exits")),
    yes: Options.boolean("yes").pipe(
      Options.withAlias("y"),
      Options.withDescription("Reuse a running temp VM of the same provider without asking")
    ),
    fresh: Options.boolean("fresh").pipe(Options.withDescription("Always create a new VM (never reuse)")),
    json: jsonOption
  },
  (args) => lazily(run, (m) => m.create(args))
).pipe(Command.withDescription("Create a throw-away VM with host directories mounted"))

export const mount = Command.make(
  "mount",
  {
    paths: Args.text({ name: "PATH" }).pipe(Args.withDescription("SOURCE[:TARGET][:ro|rw]"), Args.atLeast(1)),
    name: nameOption
  },
  (args) => lazily(run, (m) => m.mount(args))
).pipe(Command.withDescription("Mount host directories into a temp VM (applied before returning)"))

export const unmount = Command.make(
  "unmount",
  {
    paths: Args.text({ name: "PATH" }).pipe(Args.withDescription("Host directory or guest path"), Args.repeated),
    all: Options.boolean("all").pipe(Options.withDescription("Unmount everything")),
    name: nameOption
  },
  (args) => lazily(run, (m) => m.unmount(args))
).pipe(Command.withDescription("Unmount directories from a temp VM"))

export const mounts = Command.make("mounts", { name: nameOption, json: jsonOption }, (args) => lazily(run, (m) => m.mounts(args))).pipe(
  Command.withDescription("List a temp VM's mounts")
)

export const list = Command.make("list", { json: jsonOption }, (args) => lazily(run, (m) => m.list(args))).pipe(
  Command.withDescription("List temp VMs")
)

export const ssh = Command.make("ssh", { name: nameOption }, (args) => lazily(run, (m) => m.ssh(args))).pipe(
  Command.withDescription("Open a shell in a temp VM")
)

export const exec = Command.make(
  "exec",
  { name: nameOption, command: Args.text({ name: "command" }).pipe(Args.repeated) },
  (args) => lazily(run, (m) => m.exec(args))
).pipe(Command.withDescription("Run a command in a temp VM: vm temp exec [--name N] -- CMD ARGS..."))

export const status = Command.make(
  "status",
  { name: nameOption, json: jsonOption, fresh: freshOption, all: allOption, watch: watchOption },
  (args) => lazily(run, (m) => m.status(args))
).pipe(Command.withDescription("Show a temp VM's status and mounts (--all: every temp VM; --watch: live)"))

const lifecycle = (verb: "start" | "stop" | "restart", description: string) =>
  Command.make(verb, { name: nameOption }, (args) => lazily(run, (m) => m.lifecycle(verb)(args))).pipe(
    Command.withDescription(description)
  )

export const destroy = Command.make(
  "destroy",
  { name: nameOption, all: Options.boolean("all").pipe(Options.withDescription("Destroy every temp VM")) },
  (args) => lazily(run, (m) => m.destroy(args))
).pipe(Command.withDescription("Destroy a temp VM with its directory and state (no confirmation: it is throw-away)"))

export const temp = Command.make("temp").pipe(
  Command.withDescription("Throw-away VMs with host directories mounted"),
  Command.withSubcommands([
    create,
    mount,
    unmount,
    mounts,
    list,
    ssh,
    exec,
    status,
    lifecycle("start", "Start a temp VM (applies pending mounts)"),
    lifecycle("stop", "Stop a temp VM"),
    lifecycle("restart", "Restart a temp VM"),
    destroy
  ])
)
