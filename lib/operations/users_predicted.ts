/**
 * What `server.user` and `server.group` would do to the accounts, stated as
 * a dry run's predicted state: the account, its groups' members, and a new
 * home directory (useradd's mode and owner, /etc/skel's entries in it).
 *
 * @module
 */

import type { UserOptions } from "../api/mod.ts";
import { OperationError } from "../core/errors.ts";
import { accountDefaults, nextId, readGroup } from "./_accounts.ts";
import type { OpContext } from "./context.ts";
import {
  ancestorsOf,
  predictEmptied,
  predictFile,
  predictParents,
  predictUnknownUnder,
  viewFiles,
} from "./file_state.ts";
import { type GroupState, predict, type UserState } from "./predicted_facts.ts";
import { type Known, UNKNOWN } from "./predicted_state.ts";

/** A group with `name` added to (or removed from) its members. */
function withMember(group: GroupState, name: string, add: boolean): GroupState {
  if (group === null) return null;
  if (group.members === UNKNOWN) return group;
  const others = group.members.filter((member) => member !== name);
  return { ...group, members: add ? [...others, name] : others };
}

/** States a new account as `useradd` would make it (and its home, with `-m`). */
export async function predictCreatedUser(
  ctx: OpContext,
  name: string,
  options: UserOptions & { name: string },
  groups: ReadonlyMap<string, GroupState>,
): Promise<void> {
  const defaults = await accountDefaults(ctx);
  let primary: Known<string> = UNKNOWN;
  let gid: Known<number> = UNKNOWN;
  if (options.group !== undefined) {
    primary = options.group;
    gid = groups.get(options.group)?.gid ?? UNKNOWN;
  } else if (defaults.userGroups) {
    if (await readGroup(ctx, name) !== null) {
      throw new OperationError(
        `server.user: useradd would fail on ${ctx.session.name}: group ${name} exists (pass group: "${name}" to make it the user's group)`,
      );
    }
    primary = name;
    gid = await nextId(ctx, "gid", options.system === true, defaults);
  }
  const uid = options.uid ?? await nextId(ctx, "uid", options.system === true, defaults);
  if (primary === name) predict(ctx, `group:${name}`, { gid, members: [] });
  const supplementary = [...new Set(options.groups ?? [])].filter((g) => g !== primary);
  const home = options.home ?? `${defaults.homeBase}/${name}`;
  predict(ctx, `user:${name}`, {
    uid,
    gid,
    home,
    shell: options.shell ?? defaults.shell,
    groups: primary === UNKNOWN ? UNKNOWN : [primary, ...supplementary],
  });
  for (const group of supplementary) {
    predict(ctx, `group:${group}`, withMember(groups.get(group) ?? null, name, true));
  }
  if (options.system && options.home === undefined) return;
  const view = await viewFiles(ctx, [...ancestorsOf(home), home]);
  const seen = view.paths.get(home)!;
  if ("unknown" in seen) {
    predictFile(ctx, home, UNKNOWN);
    predictUnknownUnder(ctx, home);
  } else if (seen.state.type === "absent") {
    predictParents(ctx, home, view);
    predictFile(ctx, home, {
      type: "directory",
      mode: defaults.homeMode,
      user: name,
      group: primary,
    });
    predictEmptied(ctx, home);
    // useradd copies /etc/skel in, owned by the user; contents are not predicted.
    for (const entry of defaults.skel) {
      predictFile(ctx, `${home}/${entry.path}`, {
        type: entry.type,
        mode: entry.mode,
        user: name,
        group: primary,
        ...(entry.type === "file" ? { content: UNKNOWN, sha256: UNKNOWN } : {}),
      });
    }
  }
}

/** States what `usermod` changes: the fields in `next`, group memberships, a moved home. */
export async function predictModifiedUser(
  ctx: OpContext,
  name: string,
  existing: NonNullable<UserState>,
  next: {
    uid?: number;
    home?: string;
    shell?: string;
    gid?: number;
    primary?: string;
    groups?: { have: string[]; want: string[] };
  },
): Promise<void> {
  const account = { ...existing };
  if (next.uid !== undefined) account.uid = next.uid;
  if (next.shell !== undefined) account.shell = next.shell;
  if (next.home !== undefined) {
    // `usermod -d NEW -m` moves the home: both places are unknown afterwards.
    for (const path of [existing.home, next.home]) {
      if (typeof path !== "string") continue;
      predictFile(ctx, path, UNKNOWN);
      predictUnknownUnder(ctx, path);
    }
    account.home = next.home;
  }
  const groups = existing.groups === UNKNOWN ? UNKNOWN : [...existing.groups];
  if (next.gid !== undefined) {
    account.gid = next.gid;
    if (groups !== UNKNOWN) groups[0] = next.primary!;
  }
  if (next.groups !== undefined) {
    const { have, want } = next.groups;
    for (const group of [...have, ...want]) {
      if (have.includes(group) === want.includes(group)) continue;
      predict(
        ctx,
        `group:${group}`,
        withMember(await readGroup(ctx, group), name, want.includes(group)),
      );
    }
    account.groups = groups === UNKNOWN ? UNKNOWN : [groups[0], ...want];
  } else account.groups = groups;
  predict(ctx, `user:${name}`, account);
}

/** States what `userdel` does: the account is gone, and so is it from its groups. */
export async function predictRemovedUser(
  ctx: OpContext,
  name: string,
  existing: NonNullable<UserState>,
): Promise<void> {
  predict(ctx, `user:${name}`, null);
  if (existing.groups === UNKNOWN) {
    ctx.prediction?.state.forget("group:", ctx.prediction.cause);
    return;
  }
  for (const group of existing.groups) {
    // userdel removes the user's own group too, when nobody else is in it.
    if (group === name) predict(ctx, `group:${group}`, UNKNOWN);
    else predict(ctx, `group:${group}`, withMember(await readGroup(ctx, group), name, false));
  }
}

/** States a created (with the gid `groupadd` would pick), changed (`gid`) or removed (`null`) group. */
export async function predictGroup(
  ctx: OpContext,
  name: string,
  existing: GroupState,
  change: { gid: number | null | undefined; system?: boolean },
): Promise<void> {
  if (change.gid === null) return predict(ctx, `group:${name}`, null);
  if (existing !== null) {
    return predict(ctx, `group:${name}`, { ...existing, gid: change.gid ?? existing.gid });
  }
  const gid = change.gid ??
    await nextId(ctx, "gid", change.system === true, await accountDefaults(ctx));
  predict(ctx, `group:${name}`, { gid, members: [] });
}
