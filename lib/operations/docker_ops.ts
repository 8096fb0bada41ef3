/**
 * `docker.container`: a container made through the docker or podman CLI on
 * the host, and kept as asked by inspecting it. What skiff made it with is
 * in its `skiff.spec` label (env as a sha256, so no value is in the label),
 * so a container is recreated exactly when the image, command, env, ports,
 * volumes, network or restart policy asked for differ, or its image was
 * updated since; environment values reach the CLI in a file of mode 600
 * (`--env-file`), never in argv.
 *
 * @module
 */

import { type Command, SecretValue, sh } from "../core/command.ts";
import type { ContainerFact, ContainerOptions, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { checkCli, cliPrelude, CONTAINER_CLI_KEY } from "../facts/docker.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript, sha256Hex } from "./context.ts";
import { keys, type MayChange } from "./effects.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { type Known, UNKNOWN } from "./predicted_state.ts";

/** The predicted-state key of a container (its fact value, or null when absent). */
export const containerKey = (name: string): string => `docker:container:${name}`;
/** The predicted-state key of what skiff made a container with. */
const madeKey = (name: string): string => `docker:made:${name}`;
/** The predicted-state key of an image (`{ id }`, or null when absent). */
export const imageKey = (ref: string): string => `docker:image:${ref}`;

/** What `docker.container` may change: the container, what it was made with, and its image (pulled). */
export const CONTAINER: MayChange = keys((call) => {
  const name = String(call.positional[0]);
  const image = call.options.image;
  return [
    containerKey(name),
    madeKey(name),
    ...(typeof image === "string" ? [imageKey(image)] : []),
  ];
});

/** An image as a dry run knows it. */
export type ImageState = { id: Known<string> } | null;

/** The `skiff.spec` label of a container and the image it was made from. */
interface Made {
  spec: string;
  imageId: Known<string>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const RESTART = /^(no|always|unless-stopped|on-failure(:[0-9]+)?)$/;

/** Fails naming the operation and the argument. */
export function fail(op: string, what: string, detail: string): never {
  throw new InputError(`${op} ${what}: ${detail}`);
}

/** The CLI a call uses: the host data key `container_cli`, else decided on the host. */
export function cliOf(ctx: OpContext): Command {
  const named = ctx.session.host.data[CONTAINER_CLI_KEY];
  return cliPrelude(named === undefined ? undefined : checkCli(named));
}

/** Checks a container, network or volume name. */
export function checkName(op: string, name: unknown, what = "name"): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    fail(
      op,
      what,
      `expected a name of letters, digits, "_", "." and "-", got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** Checks an image reference (`busybox`, `registry:5000/app:1.2`, `app@sha256:…`). */
export function checkImage(op: string, ref: unknown, what = "image"): string {
  if (typeof ref !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.\/:@-]*$/.test(ref)) {
    fail(op, what, `expected an image reference such as "nginx:1.25", got ${JSON.stringify(ref)}`);
  }
  return ref;
}

function list(what: string, value: unknown, pattern: RegExp, example: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    fail("docker.container", what, `expected a list, got ${JSON.stringify(value)}`);
  }
  return value.map((item) => {
    if (typeof item !== "string" || !pattern.test(item)) {
      fail(
        "docker.container",
        what,
        `expected items such as "${example}", got ${JSON.stringify(item)}`,
      );
    }
    return item;
  });
}

/** What a container is asked to be, checked; `env` with its values (maybe secret). */
interface Wanted {
  image: string;
  command?: string[];
  ports: string[];
  volumes: string[];
  network?: string;
  restart?: string;
  env: [string, string | SecretValue][];
}

function wanted(options: ContainerOptions): Wanted {
  const image = checkImage("docker.container", options.image);
  let command: string[] | undefined;
  if (typeof options.command === "string") command = options.command.trim().split(/\s+/);
  else if (options.command !== undefined) command = list("command", options.command, /^/, "sleep");
  if (command?.length === 0 || command?.[0] === "") {
    fail("docker.container", "command", "expected a command, got nothing");
  }
  const env = Object.entries(options.env ?? {}).map(
    ([key, value]): [string, string | SecretValue] => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        fail("docker.container", "env", `not a variable name: "${key}"`);
      }
      const text = value instanceof SecretValue ? value.reveal() : value;
      if (typeof text !== "string" || /[\n\r\0]/.test(text)) {
        fail("docker.container", "env", `${key}: expected one line of text`);
      }
      return [key, value instanceof SecretValue ? value : text];
    },
  );
  for (const key of ["network", "restart"] as const) {
    const value = options[key];
    if (
      value !== undefined &&
      (typeof value !== "string" || !(key === "network" ? NAME : RESTART).test(value))
    ) {
      fail("docker.container", key, `unexpected value ${JSON.stringify(value)}`);
    }
  }
  return {
    image,
    command,
    ports: list("ports", options.ports, /^[0-9A-Za-z.:\[\]]+(\/(tcp|udp|sctp))?$/, "8080:80"),
    volumes: list("volumes", options.volumes, /^[^-\s,][^\s,]*:[^\s,]+$/, "data:/var/lib/app"),
    network: options.network,
    restart: options.restart,
    env: env.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
  };
}

/** The `skiff.spec` label: the call's settings as JSON, env as a sha256 of its sorted pairs. */
async function specOf(want: Wanted): Promise<string> {
  const pairs = want.env.map((
    [key, value],
  ) => [key, value instanceof SecretValue ? value.reveal() : value]);
  const env = pairs.length === 0
    ? ""
    : await sha256Hex(new TextEncoder().encode(JSON.stringify(pairs)));
  const { image, command, ports, volumes, network, restart } = want;
  return JSON.stringify({ image, command, env, ports, volumes, network, restart });
}

/** The settings whose values differ between two specs (all, when `before` is no spec). */
function differing(before: string, after: string): string[] {
  let old: Record<string, unknown>;
  try {
    old = JSON.parse(before);
  } catch {
    return ["no skiff.spec label"];
  }
  const now = JSON.parse(after) as Record<string, unknown>;
  return Object.keys(now).filter((key) => JSON.stringify(old[key]) !== JSON.stringify(now[key]));
}

/** Reads the container, what it was made with, and the image's id, in one command. */
async function observe(
  ctx: OpContext,
  name: string,
  image: string | undefined,
  builder: ResultBuilder,
) {
  const lines = await runScript(
    ctx,
    sh`${cliOf(ctx)}
names=$("$c" ps -a --format '{{.Names}}') || exit 1
if printf '%s\\n' "$names" | grep -qxF -- ${name}; then
  "$c" container inspect --format '{{.State.Running}}	{{.Image}}	{{.Config.Image}}	{{index .Config.Labels "skiff.spec"}}' -- ${name} || exit 1
else echo absent; fi${
      image === undefined ? sh`` : sh`
"$c" image inspect --format '{{.Id}}' -- ${image} 2>/dev/null || echo absent`
    }`,
    builder,
  );
  const [running, imageId, createdFrom, spec] = lines[0].split("\t");
  const container: ContainerFact | null = lines[0] === "absent"
    ? null
    : { image: createdFrom, running: running === "true" };
  const made: Made = { spec: spec ?? "", imageId: imageId ?? "" };
  const found: ImageState = lines[1] === "absent" ? null : { id: lines[1] };
  return { container, made, image: found };
}

/**
 * `docker.container(name, {image, command, ports, env, volumes, network,
 * restart, present, running})`. Creates the container when missing;
 * recreates it (stop, remove, create) when what skiff made it with differs
 * from the call or the image now has another id; then starts or stops it
 * as `running` says (default running). `present: false` stops and removes
 * it.
 */
export async function container(
  ctx: OpContext,
  nameArg: unknown,
  options: ContainerOptions,
): Promise<OperationResult> {
  const name = checkName("docker.container", nameArg);
  const present = options.present ?? true;
  const running = options.running ?? true;
  for (const key of ["present", "running"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "boolean") {
      fail("docker.container", key, `expected true or false, got ${JSON.stringify(options[key])}`);
    }
  }
  const want = present ? wanted(options) : undefined;
  const builder = new ResultBuilder();
  let seen: ReturnType<typeof observe> | undefined;
  const host = () => seen ??= observe(ctx, name, want?.image, builder);
  const current = await readKey(ctx, containerKey(name), async () => (await host()).container);
  const rm = sh`"$c" stop -- ${name} >/dev/null && "$c" rm -- ${name} >/dev/null || exit 1`;
  if (!want) {
    if (current === null) return builder.done(`container ${name} is absent`);
    builder.change(`removed container ${name}`);
    predict(ctx, containerKey(name), null);
    if (!ctx.dryRun) await runRecorded(ctx, sh`${cliOf(ctx)}\n${rm}`, builder);
    return builder.done("");
  }
  const spec = await specOf(want);
  const image = await readKey<ImageState>(
    ctx,
    imageKey(want.image),
    async () => (await host()).image,
  );
  let create = current === null;
  if (current === null) builder.change(`created container ${name}`);
  else {
    const made = await readKey<Made>(ctx, madeKey(name), async () => (await host()).made);
    const changed = differing(made.spec, spec);
    const newer = image !== null && image.id !== UNKNOWN && made.imageId !== image.id;
    if (changed.length > 0 || newer) {
      create = true;
      const why = changed.length > 0
        ? `${changed.join(", ")} differ`
        : `image ${want.image} was updated`;
      builder.change(`recreated container ${name} (${why})`);
    } else if (current.running !== running) {
      builder.change(`${running ? "started" : "stopped"} container ${name}`);
    } else return builder.done(`container ${name} is as wanted`);
  }
  predict(ctx, containerKey(name), { image: want.image, running });
  if (create) {
    predict(ctx, madeKey(name), { spec, imageId: image?.id ?? UNKNOWN });
    if (image === null) predict(ctx, imageKey(want.image), { id: UNKNOWN });
  }
  if (ctx.dryRun) return builder.done("");
  const start = running ? sh`\n"$c" start -- ${name} >/dev/null || exit 1` : sh``;
  const script = create
    ? sh`${cliOf(ctx)}\n${current === null ? sh`` : sh`${rm}\n`}${
      createCommand(name, want, spec)
    }${start}`
    : sh`${cliOf(ctx)}\n"$c" ${running ? "start" : "stop"} -- ${name} >/dev/null || exit 1`;
  await runRecorded(ctx, script, builder);
  return builder.done("");
}

/**
 * The script lines that create a container: env written by the shell's own
 * `printf` (a builtin: no argv) into a `mktemp` file (mode 600) that
 * `--env-file` reads and the script removes.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { createCommand } from "./docker_ops.ts";
 * const want = { image: "busybox", ports: [], volumes: [], env: [] };
 * strictEqual(
 *   createCommand("web", want, "{}").render(),
 *   `"$c" create --name web --label 'skiff.spec={}' -- busybox >/dev/null || exit 1`,
 * );
 * ```
 */
export function createCommand(name: string, want: Wanted, spec: string): Command {
  const flags: string[] = [];
  for (const port of want.ports) flags.push("-p", port);
  for (const volume of want.volumes) flags.push("-v", volume);
  if (want.network !== undefined) flags.push(`--network=${want.network}`);
  if (want.restart !== undefined) flags.push(`--restart=${want.restart}`);
  const envFile = want.env.length > 0 ? sh` --env-file "$t"` : sh``;
  const create = sh`"$c" create --name ${name}${envFile}${
    flags.length > 0 ? sh` ${flags}` : sh``
  } --label ${`skiff.spec=${spec}`} -- ${want.image}${
    want.command ? sh` ${want.command}` : sh``
  } >/dev/null`;
  if (want.env.length === 0) return sh`${create} || exit 1`;
  const lines = want.env.map(([key, value]) => sh`${`${key}=`}${value}`);
  return sh`t=$(mktemp) || exit 1
if printf '%s\\n' ${
    lines.reduce((a, b) => sh`${a} ${b}`)
  } >"$t" && ${create}; then rm -f -- "$t"; else rm -f -- "$t"; exit 1; fi`;
}
