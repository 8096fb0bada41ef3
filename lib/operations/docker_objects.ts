/**
 * `docker.image`, `docker.network` and `docker.volume`: images pulled or
 * removed, networks and named volumes created or removed, through the same
 * CLI as `docker.container` (host data `container_cli`).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { type OpContext, ResultBuilder, runRecorded, runScript } from "./context.ts";
import { predict, readKey } from "./predicted_facts.ts";
import { UNKNOWN } from "./predicted_state.ts";
import { checkImage, checkName, cliOf, fail, imageKey, type ImageState } from "./docker_ops.ts";

function presentOf(op: string, options: { present?: unknown }): boolean {
  const present = options.present ?? true;
  if (typeof present !== "boolean") {
    fail(op, "present", `expected true or false, got ${JSON.stringify(present)}`);
  }
  return present;
}

/**
 * `docker.image(ref, {present})`: pulls the image when the host has none
 * by that reference; with `present: false` removes it (which fails while a
 * container uses it).
 */
export async function image(
  ctx: OpContext,
  refArg: unknown,
  options: { present?: boolean },
): Promise<OperationResult> {
  const ref = checkImage("docker.image", refArg, "ref");
  const present = presentOf("docker.image", options);
  const builder = new ResultBuilder();
  const found = await readKey<ImageState>(ctx, imageKey(ref), async () => {
    const [id] = await runScript(
      ctx,
      sh`${cliOf(ctx)}\n"$c" image inspect --format '{{.Id}}' -- ${ref} 2>/dev/null || echo absent`,
      builder,
    );
    return id === "absent" ? null : { id };
  });
  if ((found !== null) === present) {
    return builder.done(`image ${ref} is ${present ? "present" : "absent"}`);
  }
  builder.change(`${present ? "pulled" : "removed"} image ${ref}`);
  predict(ctx, imageKey(ref), present ? { id: UNKNOWN } : null);
  if (!ctx.dryRun) {
    const verb = present ? sh`pull` : sh`rmi`;
    await runRecorded(ctx, sh`${cliOf(ctx)}\n"$c" ${verb} -- ${ref} >/dev/null`, builder);
  }
  return builder.done("");
}

/** The options of `docker.network`. */
export interface NetworkOptions {
  present?: boolean;
  driver?: string;
  subnet?: string;
  internal?: boolean;
}

/** Names a network or volume kind by its CLI verb and its state key. */
type Kind = "network" | "volume";

/** Whether a network or volume exists: listed by `$c KIND ls` (read through the predicted state). */
async function exists(ctx: OpContext, kind: Kind, name: string, builder: ResultBuilder) {
  return await readKey<boolean>(ctx, `docker:${kind}:${name}`, async () => {
    const lines = await runScript(
      ctx,
      sh`${cliOf(ctx)}
names=$("$c" ${kind} ls --format '{{.Name}}') || exit 1
if printf '%s\\n' "$names" | grep -qxF -- ${name}; then echo present; else echo absent; fi`,
      builder,
    );
    return lines[0] === "present";
  });
}

/** Creates (with `flags`) or removes a network or volume when it is not as asked. */
async function ensure(
  ctx: OpContext,
  { kind, name, present, flags }: { kind: Kind; name: string; present: boolean; flags: string[] },
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  if (await exists(ctx, kind, name, builder) === present) {
    return builder.done(`${kind} ${name} is ${present ? "present" : "absent"}`);
  }
  builder.change(`${present ? "created" : "removed"} ${kind} ${name}`);
  predict(ctx, `docker:${kind}:${name}`, present);
  if (!ctx.dryRun) {
    const action = present
      ? sh`"$c" ${kind} create${flags.length > 0 ? sh` ${flags}` : sh``} -- ${name} >/dev/null`
      : sh`"$c" ${kind} rm -- ${name} >/dev/null`;
    await runRecorded(ctx, sh`${cliOf(ctx)}\n${action}`, builder);
  }
  return builder.done("");
}

/**
 * `docker.network(name, {present, driver, subnet, internal})`: creates the
 * network when missing, with the driver, subnet and `--internal` asked
 * for; a network that exists is left as it is (recreating it would cut its
 * containers off). `present: false` removes it.
 */
export async function network(
  ctx: OpContext,
  nameArg: unknown,
  options: NetworkOptions,
): Promise<OperationResult> {
  const name = checkName("docker.network", nameArg);
  const present = presentOf("docker.network", options);
  const flags: string[] = [];
  if (options.driver !== undefined) {
    flags.push(`--driver=${checkName("docker.network", options.driver, "driver")}`);
  }
  if (options.subnet !== undefined) {
    if (
      typeof options.subnet !== "string" || !/^[0-9A-Fa-f.:]+\/[0-9]{1,3}$/.test(options.subnet)
    ) {
      fail(
        "docker.network",
        "subnet",
        `expected a CIDR such as "10.89.0.0/24", got ${JSON.stringify(options.subnet)}`,
      );
    }
    flags.push(`--subnet=${options.subnet}`);
  }
  if (options.internal !== undefined && typeof options.internal !== "boolean") {
    fail(
      "docker.network",
      "internal",
      `expected true or false, got ${JSON.stringify(options.internal)}`,
    );
  }
  if (options.internal) flags.push("--internal");
  return await ensure(ctx, { kind: "network", name, present, flags });
}

/** `docker.volume(name, {present})`: creates the named volume when missing, or removes it. */
export async function volume(
  ctx: OpContext,
  nameArg: unknown,
  options: { present?: boolean },
): Promise<OperationResult> {
  const name = checkName("docker.volume", nameArg);
  const present = presentOf("docker.volume", options);
  return await ensure(ctx, { kind: "volume", name, present, flags: [] });
}
