/**
 * Users and groups: `server.user` (useradd/usermod/userdel, and an exact
 * `~/.ssh/authorized_keys`) and `server.group` (groupadd/groupmod/groupdel).
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { OperationResult, UserOptions } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { groups as groupsFact, users as usersFact } from "../facts/server.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { directory, put } from "./files.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

function checkName(value: unknown, op: string): string {
  if (typeof value !== "string" || !NAME.test(value) || value.length > 32) {
    throw new InputError(`${op}: name must be a user or group name, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkId(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InputError(`${what} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function forgetAccounts(ctx: OpContext): void {
  ctx.session.invalidateFacts("server.users");
  ctx.session.invalidateFacts("server.groups");
}

/** `server.user({name, present, home, shell, group, groups, system, uid, publicKeys})`. */
export async function user(ctx: OpContext, options: UserOptions): Promise<OperationResult> {
  const name = checkName(options.name, "server.user");
  const uid = checkId(options.uid, "server.user: uid");
  if (options.groups !== undefined && !Array.isArray(options.groups)) {
    throw new InputError("server.user: groups must be a list of group names");
  }
  for (const group of [options.group, ...(options.groups ?? [])]) {
    if (group !== undefined) checkName(group, "server.user groups");
  }
  if (
    options.publicKeys !== undefined &&
    (!Array.isArray(options.publicKeys) ||
      options.publicKeys.some((k) => typeof k !== "string" || k.includes("\n")))
  ) {
    throw new InputError("server.user: publicKeys must be a list of single-line keys");
  }
  const builder = new ResultBuilder();
  const existing = (await ctx.session.fact(usersFact))[name];
  if (options.present === false) {
    if (existing) {
      builder.change(`removed user ${name}`);
      if (!ctx.dryRun) {
        await runRecorded(ctx, sh`userdel ${name}`, builder);
        forgetAccounts(ctx);
      }
    }
    return builder.done(`user ${name} is absent`);
  }
  const known = await ctx.session.fact(groupsFact);
  const missing = [options.group, ...(options.groups ?? [])].filter((g) =>
    g !== undefined && !(g in known)
  );
  // A dry run may come before the server.group that creates them.
  if (missing.length > 0 && !ctx.dryRun) {
    throw new OperationError(
      `server.user: group ${
        missing.map((g) => `"${g}"`).join(", ")
      } does not exist on ${ctx.session.name}: create it first with server.group`,
    );
  }
  const flags: Command[] = [];
  if (!existing) {
    if (options.system) flags.push(sh`-r`);
    if (uid !== undefined) flags.push(sh`-u ${uid}`);
    if (options.group !== undefined) flags.push(sh`-g ${options.group}`);
    if (options.groups && options.groups.length > 0) flags.push(sh`-G ${options.groups.join(",")}`);
    if (options.home !== undefined) flags.push(sh`-d ${options.home}`);
    if (!options.system || options.home !== undefined) flags.push(sh`-m`);
    if (options.shell !== undefined) flags.push(sh`-s ${options.shell}`);
    builder.change(`created user ${name}`);
    if (!ctx.dryRun) {
      await runRecorded(ctx, sh`useradd ${flags} ${name}`, builder);
      forgetAccounts(ctx);
    }
  } else {
    const changes: string[] = [];
    if (uid !== undefined && existing.uid !== uid) {
      changes.push(`uid ${existing.uid} -> ${uid}`);
      flags.push(sh`-u ${uid}`);
    }
    if (options.home !== undefined && existing.home !== options.home) {
      changes.push(`home ${existing.home} -> ${options.home}`);
      flags.push(sh`-d ${options.home} -m`);
    }
    if (options.shell !== undefined && existing.shell !== options.shell) {
      changes.push(`shell ${existing.shell} -> ${options.shell}`);
      flags.push(sh`-s ${options.shell}`);
    }
    const primary = known[options.group ?? ""]?.gid;
    if (options.group !== undefined && existing.gid !== primary) {
      changes.push(`group ${existing.groups[0] ?? existing.gid} -> ${options.group}`);
      flags.push(sh`-g ${options.group}`);
    }
    if (options.groups !== undefined) {
      const primaryName = Object.entries(known).find(([, g]) => g.gid === existing.gid)?.[0];
      const have = existing.groups.filter((g) => g !== primaryName).sort();
      const want = [...new Set(options.groups)].filter((g) => g !== (options.group ?? primaryName))
        .sort();
      if (have.join(",") !== want.join(",")) {
        changes.push(`groups ${have.join(",") || "(none)"} -> ${want.join(",") || "(none)"}`);
        flags.push(sh`-G ${want.join(",")}`);
      }
    }
    if (changes.length > 0) {
      builder.change(`user ${name}: ${changes.join(", ")}`);
      if (!ctx.dryRun) {
        await runRecorded(ctx, sh`usermod ${flags} ${name}`, builder);
        forgetAccounts(ctx);
      }
    }
  }
  if (options.publicKeys !== undefined) {
    const account = (await ctx.session.fact(usersFact))[name];
    const home = options.home ?? account?.home ?? `/home/${name}`;
    const group = options.group ?? account?.groups[0] ?? name;
    const owner = { user: name, group };
    builder.absorb(await directory(ctx, `${home}/.ssh`, { ...owner, mode: "700" }));
    const content = options.publicKeys.length === 0 ? "" : options.publicKeys.join("\n") + "\n";
    builder.absorb(
      await put(ctx, { content }, `${home}/.ssh/authorized_keys`, { ...owner, mode: "600" }),
    );
  }
  return builder.done(`user ${name} is as wanted`);
}

/** `server.group({name, present, gid, system})`. */
export async function group(
  ctx: OpContext,
  options: { name?: unknown; present?: boolean; gid?: number; system?: boolean },
): Promise<OperationResult> {
  const name = checkName(options.name, "server.group");
  const gid = checkId(options.gid, "server.group: gid");
  const builder = new ResultBuilder();
  const existing = (await ctx.session.fact(groupsFact))[name];
  let command: Command | undefined;
  if (options.present === false) {
    if (existing) {
      builder.change(`removed group ${name}`);
      command = sh`groupdel ${name}`;
    }
  } else if (!existing) {
    builder.change(`created group ${name}`);
    command = sh`groupadd ${options.system ? sh`-r ` : sh``}${
      gid !== undefined ? sh`-g ${gid} ` : sh``
    }${name}`;
  } else if (gid !== undefined && existing.gid !== gid) {
    builder.change(`group ${name}: gid ${existing.gid} -> ${gid}`);
    command = sh`groupmod -g ${gid} ${name}`;
  }
  if (command && !ctx.dryRun) {
    await runRecorded(ctx, command, builder);
    forgetAccounts(ctx);
  }
  return builder.done(`group ${name} is ${options.present === false ? "absent" : "as wanted"}`);
}
