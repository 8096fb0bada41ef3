/**
 * Accounts as `server.user` and `server.group` read them: one user or group
 * at a time, from the host's facts in a real run and through the predicted
 * state in a dry run; and what `useradd` would make of a new account there
 * (its defaults from /etc/default/useradd and /etc/login.defs).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import { groups as groupsFact, users as usersFact } from "../facts/server.ts";
import type { OpContext } from "./context.ts";
import { type GroupState, readKey, type UserState } from "./predicted_facts.ts";
import { type Known, known, UNKNOWN } from "./predicted_state.ts";

/** A user as the operation sees it; null when absent. */
export function readUser(ctx: OpContext, name: string): Promise<UserState> {
  return readKey<UserState>(ctx, `user:${name}`, async () => {
    const users = await ctx.session.hostFact(usersFact);
    return users[name] ?? null;
  });
}

/** A group as the operation sees it; null when absent. */
export function readGroup(ctx: OpContext, name: string): Promise<GroupState> {
  return readKey<GroupState>(ctx, `group:${name}`, async () => {
    const groups = await ctx.session.hostFact(groupsFact);
    return groups[name] ?? null;
  });
}

/** The name of a user's primary group (the group with its gid), or undefined. */
export async function primaryGroupName(
  ctx: OpContext,
  user: NonNullable<UserState>,
  name: string,
): Promise<string | undefined> {
  const gid = known(user.gid, `user:${name}`);
  const groups = known(user.groups, `user:${name}`);
  if (groups.length > 0) {
    const first = await readGroup(ctx, groups[0]);
    if (first !== null && known(first.gid, `group:${groups[0]}`) === gid) return groups[0];
  }
  const all = await ctx.session.hostFact(groupsFact);
  return Object.entries(all).find(([, group]) => group.gid === gid)?.[0];
}

/** What `useradd` gives a new account unless told otherwise. */
export interface AccountDefaults {
  /** Where homes go (`HOME` in /etc/default/useradd, default /home). */
  homeBase: string;
  /** The login shell (`SHELL`; empty when unset). */
  shell: string;
  /** A group named after the user is made (`USERGROUPS_ENAB`, default yes). */
  userGroups: boolean;
  /** A new home directory's mode (`HOME_MODE`, else 0777 less `UMASK`). */
  homeMode: string;
  /** What /etc/skel holds (copied into a new home): relative paths, types and modes. */
  skel: { path: string; type: "file" | "directory" | "other"; mode: string }[];
  /** The ranges new ids come from: `UID_MIN`…`SYS_GID_MAX` of /etc/login.defs. */
  ids: Record<"uid" | "gid", { min: number; max: number; sysMin: number; sysMax: number }>;
}

/**
 * Reads useradd's defaults from the host (a dry run predicting a new
 * account needs them; nothing else reads them).
 */
export async function accountDefaults(ctx: OpContext): Promise<AccountDefaults> {
  const result = await ctx.session.run(
    sh`grep -E '^(HOME|SHELL)=' /etc/default/useradd 2>/dev/null
grep -E '^[[:space:]]*(UMASK|HOME_MODE|USERGROUPS_ENAB|(SYS_)?[UG]ID_M(IN|AX))[[:space:]]' /etc/login.defs 2>/dev/null
echo skiff:skel; find /etc/skel -mindepth 1 -exec stat -c '%F|%a|%n' {} + 2>/dev/null; true`,
    ctx.control,
  );
  const lines = result.output.stdoutLines;
  const at = lines.indexOf("skiff:skel");
  const settings: Record<string, string> = {};
  for (const line of lines.slice(0, at < 0 ? lines.length : at)) {
    const match = /^\s*([A-Z_]+)(?:=|\s+)(.*)$/.exec(line);
    if (match) settings[match[1]] = match[2].trim();
  }
  const umask = Number.parseInt(settings.UMASK ?? "022", 8);
  const homeMode = settings.HOME_MODE !== undefined
    ? Number.parseInt(settings.HOME_MODE, 8)
    : 0o777 & ~umask;
  return {
    homeBase: (settings.HOME ?? "/home").replace(/\/$/, ""),
    shell: settings.SHELL ?? "",
    userGroups: (settings.USERGROUPS_ENAB ?? "yes").toLowerCase() === "yes",
    homeMode: homeMode.toString(8).padStart(3, "0"),
    skel: at < 0 ? [] : lines.slice(at + 1).flatMap((line) => {
      const [kind, mode, path] = line.split("|");
      if (!path?.startsWith("/etc/skel/")) return [];
      const type = kind === "directory"
        ? "directory"
        : kind.startsWith("regular")
        ? "file"
        : "other";
      return [{ path: path.slice("/etc/skel/".length), type, mode } as const];
    }),
    ids: {
      uid: idRange(settings, "UID"),
      gid: idRange(settings, "GID"),
    },
  };
}

function idRange(settings: Record<string, string>, kind: "UID" | "GID") {
  const number = (key: string, fallback: number) => {
    const value = Number.parseInt(settings[key] ?? "", 10);
    return Number.isFinite(value) ? value : fallback;
  };
  return {
    min: number(`${kind}_MIN`, 1000),
    max: number(`${kind}_MAX`, 60000),
    sysMin: number(`SYS_${kind}_MIN`, 101),
    sysMax: number(`SYS_${kind}_MAX`, number(`${kind}_MIN`, 1000) - 1),
  };
}

/**
 * The id `useradd`/`groupadd` would give a new account in a dry run: the
 * next above the highest in use, or for a system account the first free
 * one down from the top of the system range; unknown when earlier changes
 * leave the ids in use unknown.
 */
export async function nextId(
  ctx: OpContext,
  kind: "uid" | "gid",
  system: boolean,
  defaults: AccountDefaults,
): Promise<Known<number>> {
  const state = ctx.prediction!.state;
  const prefix = kind === "uid" ? "user:" : "group:";
  if (state.regionOver([prefix])) return UNKNOWN;
  const host: Record<string, { uid?: number; gid: number }> = kind === "uid"
    ? await ctx.session.hostFact(usersFact)
    : await ctx.session.hostFact(groupsFact);
  const ids = new Map(Object.entries(host).map(([name, entry]) => [name, entry[kind]!]));
  for (const key of state.keysUnder(prefix)) {
    const found = state.lookup(key);
    const value = found.from === "state" ? found.value : undefined;
    if (value === UNKNOWN) return UNKNOWN;
    const name = key.slice(prefix.length);
    if (value === null) ids.delete(name);
    else if (value !== undefined) {
      const id = (value as Record<string, Known<number>>)[kind];
      if (id === UNKNOWN) return UNKNOWN;
      ids.set(name, id);
    }
  }
  const used = new Set(ids.values());
  const range = defaults.ids[kind];
  if (system) {
    for (let id = range.sysMax; id >= range.sysMin; id--) if (!used.has(id)) return id;
    return UNKNOWN;
  }
  const taken = [...used].filter((id) => id >= range.min && id <= range.max);
  const next = taken.length === 0 ? range.min : Math.max(...taken) + 1;
  return next <= range.max ? next : UNKNOWN;
}

/**
 * A public key line shortened for diffs: its type, the end of its key and
 * its comment.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { shortKey } from "./_accounts.ts";
 * deepStrictEqual(shortKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffdemokey admin@example"), "ssh-ed25519 …ffdemokey admin@example");
 * ```
 */
export function shortKey(line: string): string {
  const [type, body = "", ...comment] = line.trim().split(/\s+/);
  const end = body.length > 12 ? `…${body.slice(-9)}` : body;
  return [type, end, ...comment].join(" ");
}
