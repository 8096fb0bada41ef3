/**
 * Users and groups: `server.user` (useradd/usermod/userdel, and an exact
 * `~/.ssh/authorized_keys`) and `server.group` (groupadd/groupmod/groupdel).
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { OperationResult, UserOptions } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { directory, put } from "./files.ts";
import { primaryGroupName, readGroup, readUser, shortKey } from "./_accounts.ts";
import { readRemote } from "./_file_io.ts";
import type { GroupState } from "./predicted_facts.ts";
import { known } from "./predicted_state.ts";
import {
  predictCreatedUser,
  predictGroup,
  predictModifiedUser,
  predictRemovedUser,
} from "./users_predicted.ts";

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

/** `server.user(name, {present, home, shell, group, groups, system, uid, publicKeys})`, run with the name folded into the options. */
export async function user(
  ctx: OpContext,
  options: UserOptions & { name: string },
): Promise<OperationResult> {
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
  const diff: string[] = [];
  const key = `user:${name}`;
  const existing = await readUser(ctx, name);
  if (options.present === false) {
    if (existing) {
      builder.change(`removed user ${name}`);
      diff.push(`-user ${name}`);
      if (!ctx.dryRun) {
        await runRecorded(ctx, sh`userdel ${name}`, builder);
        forgetAccounts(ctx);
      } else await predictRemovedUser(ctx, name, existing);
    }
    if (ctx.wantDiff && diff.length > 0) builder.diff(diff.join("\n"));
    return builder.done(`user ${name} is absent`);
  }
  const named = [options.group, ...(options.groups ?? [])].filter((g) => g !== undefined);
  const groups = new Map<string, GroupState>();
  for (const group of named) groups.set(group, await readGroup(ctx, group));
  const missing = named.filter((g) => groups.get(g) === null);
  if (missing.length > 0) {
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
    } else await predictCreatedUser(ctx, name, { ...options, uid }, groups);
    if (ctx.wantDiff) {
      const made = await readUser(ctx, name);
      const field = (value: unknown) => typeof value === "string" ? value : "?";
      const list = made && Array.isArray(made.groups) ? made.groups.join(",") : "?";
      diff.push(
        `+user ${name} (home ${field(made?.home)}, shell ${field(made?.shell)}, groups ${list})`,
      );
    }
  } else {
    const changes: string[] = [];
    const lines: string[] = [];
    const change = (what: string, from: unknown, to: unknown) => {
      changes.push(`${what} ${from} -> ${to}`);
      lines.push(`user ${name}: ${what} ${from} → ${to}`);
    };
    const next: Record<string, unknown> = {};
    if (uid !== undefined && known(existing.uid, key) !== uid) {
      change("uid", existing.uid, uid);
      flags.push(sh`-u ${uid}`);
      next.uid = uid;
    }
    if (options.home !== undefined && known(existing.home, key) !== options.home) {
      change("home", existing.home, options.home);
      flags.push(sh`-d ${options.home} -m`);
      next.home = options.home;
    }
    if (options.shell !== undefined && known(existing.shell, key) !== options.shell) {
      change("shell", existing.shell, options.shell);
      flags.push(sh`-s ${options.shell}`);
      next.shell = options.shell;
    }
    const primary = options.group === undefined
      ? undefined
      : known(groups.get(options.group)!.gid, `group:${options.group}`);
    if (options.group !== undefined && known(existing.gid, key) !== primary) {
      const have = known(existing.groups, key);
      change("group", have[0] ?? existing.gid, options.group);
      flags.push(sh`-g ${options.group}`);
      next.gid = primary;
      next.primary = options.group;
    }
    if (options.groups !== undefined) {
      const primaryName = await primaryGroupName(ctx, existing, name);
      const have = known(existing.groups, key).filter((g) => g !== primaryName).sort();
      const want = [...new Set(options.groups)].filter((g) => g !== (options.group ?? primaryName))
        .sort();
      if (have.join(",") !== want.join(",")) {
        changes.push(`groups ${have.join(",") || "(none)"} -> ${want.join(",") || "(none)"}`);
        const added = want.filter((g) => !have.includes(g)).map((g) => `+${g}`);
        const removed = have.filter((g) => !want.includes(g)).map((g) => `-${g}`);
        lines.push(`user ${name}: groups ${[...added, ...removed].join(" ")}`);
        flags.push(sh`-G ${want.join(",")}`);
        next.groups = { have, want };
      }
    }
    if (changes.length > 0) {
      builder.change(`user ${name}: ${changes.join(", ")}`);
      diff.push(...lines);
      if (!ctx.dryRun) {
        await runRecorded(ctx, sh`usermod ${flags} ${name}`, builder);
        forgetAccounts(ctx);
      } else await predictModifiedUser(ctx, name, existing, next);
    }
  }
  if (options.publicKeys !== undefined) {
    diff.push(...await authorizedKeys(ctx, name, options, builder));
  }
  if (ctx.wantDiff && diff.length > 0) builder.diff(diff.join("\n"));
  return builder.done(`user ${name} is as wanted`);
}

/** `~/.ssh` (700) and exactly the given `authorized_keys` (600); the keys added and removed, for the diff. */
async function authorizedKeys(
  ctx: OpContext,
  name: string,
  options: UserOptions & { name: string },
  builder: ResultBuilder,
): Promise<string[]> {
  const account = await readUser(ctx, name);
  const home = options.home ?? (account ? known(account.home, `user:${name}`) : `/home/${name}`);
  const group = options.group ?? (account ? known(account.groups, `user:${name}`)[0] : name) ??
    name;
  const owner = { user: name, group };
  const path = `${home}/.ssh/authorized_keys`;
  const keys = options.publicKeys ?? [];
  let before: string[] = [];
  if (ctx.wantDiff) {
    const current = await readRemote(ctx, path, new ResultBuilder(), "content").catch((error) => {
      if (error instanceof OperationError) return null;
      throw error;
    });
    if (current?.exists && current.content) {
      before = new TextDecoder().decode(current.content).split("\n").filter(Boolean);
    }
  }
  // The keys are the diff; the file's own diff would repeat them.
  const quiet = { ...ctx, wantDiff: false };
  builder.absorb(await directory(quiet, `${home}/.ssh`, { ...owner, mode: "700" }));
  const content = keys.length === 0 ? "" : keys.join("\n") + "\n";
  const written = await put(quiet, { content }, path, { ...owner, mode: "600" });
  builder.absorb(written);
  if (!written.changed) return [];
  const added = keys.filter((k) => !before.includes(k)).map((k) => `+key ${shortKey(k)}`);
  const removed = before.filter((k) => !keys.includes(k)).map((k) => `-key ${shortKey(k)}`);
  const changed = [...added, ...removed];
  return changed.length === 0 ? [] : [`user ${name}: keys ${changed.join(" ")}`];
}

/** `server.group(name, {present, gid, system})`, run with the name folded into the options. */
export async function group(
  ctx: OpContext,
  options: { name?: unknown; present?: boolean; gid?: number; system?: boolean },
): Promise<OperationResult> {
  const name = checkName(options.name, "server.group");
  const gid = checkId(options.gid, "server.group: gid");
  const builder = new ResultBuilder();
  const existing = await readGroup(ctx, name);
  let command: Command | undefined;
  let line = "";
  if (options.present === false) {
    if (existing) {
      builder.change(`removed group ${name}`);
      command = sh`groupdel ${name}`;
      line = `-group ${name}`;
    }
  } else if (!existing) {
    builder.change(`created group ${name}`);
    command = sh`groupadd ${options.system ? sh`-r ` : sh``}${
      gid !== undefined ? sh`-g ${gid} ` : sh``
    }${name}`;
    line = `+group ${name}${gid !== undefined ? ` (gid ${gid})` : ""}`;
  } else if (gid !== undefined && known(existing.gid, `group:${name}`) !== gid) {
    const had = String(existing.gid);
    builder.change(`group ${name}: gid ${had} -> ${gid}`);
    command = sh`groupmod -g ${gid} ${name}`;
    line = `group ${name}: gid ${had} → ${gid}`;
  }
  if (command && !ctx.dryRun) {
    await runRecorded(ctx, command, builder);
    forgetAccounts(ctx);
  } else if (command) {
    await predictGroup(ctx, name, existing, {
      gid: options.present === false ? null : gid,
      system: options.system,
    });
  }
  if (ctx.wantDiff && line) builder.diff(line);
  return builder.done(`group ${name} is ${options.present === false ? "absent" : "as wanted"}`);
}
