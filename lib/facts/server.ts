/**
 * Server facts: host name, OS, architecture, kernel, users, groups, `which`
 * and arbitrary commands.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { UserFact } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

const SEPARATOR = "---skiff-separator---";

/** `uname -n`. */
export const hostname: FactDefinition<[], string> = {
  name: "server.hostname",
  signature: { params: "", returns: "string", description: "the host name (`uname -n`)" },
  command: () => "uname -n",
  parse: (stdout) => stdout.trim(),
};

/** `uname -m`. */
export const arch: FactDefinition<[], string> = {
  name: "server.arch",
  signature: {
    params: "",
    returns: "string",
    description: "the machine architecture (`uname -m`)",
  },
  command: () => "uname -m",
  parse: (stdout) => stdout.trim(),
};

/** `uname -r`. */
export const kernel: FactDefinition<[], string> = {
  name: "server.kernel",
  signature: { params: "", returns: "string", description: "the kernel release (`uname -r`)" },
  command: () => "uname -r",
  parse: (stdout) => stdout.trim(),
};

/**
 * Parses `/etc/os-release` (shell-style `KEY=value` with optional quotes).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseOsRelease } from "./server.ts";
 * deepStrictEqual(parseOsRelease('ID=debian\nVERSION_ID="12"\n').VERSION_ID, "12");
 * ```
 */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2];
    if (/^".*"$|^'.*'$/.test(value)) value = value.slice(1, -1).replace(/\\(["$`\\])/g, "$1");
    out[match[1]] = value;
  }
  return out;
}

/** `/etc/os-release` as `{id, version, name, idLike}`. */
export const os: FactDefinition<
  [],
  { id: string; version: string; name: string; idLike: string[] }
> = {
  name: "server.os",
  signature: {
    params: "",
    returns: "{ id: string; version: string; name: string; idLike: string[] }",
    description: "`/etc/os-release` as `{id, version, name, idLike}`",
  },
  command: () => "cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release",
  parse: (stdout) => {
    const fields = parseOsRelease(stdout);
    return {
      id: fields.ID ?? "linux",
      version: fields.VERSION_ID ?? "",
      name: fields.PRETTY_NAME ?? fields.NAME ?? "",
      idLike: (fields.ID_LIKE ?? "").split(/\s+/).filter(Boolean),
    };
  },
};

/** Parses `/etc/group` into `{name: {gid, members}}`. */
export function parseGroupFile(text: string): Record<string, { gid: number; members: string[] }> {
  const out: Record<string, { gid: number; members: string[] }> = {};
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 4 || line.startsWith("#")) continue;
    out[fields[0]] = { gid: Number(fields[2]), members: fields[3].split(",").filter(Boolean) };
  }
  return out;
}

/**
 * Parses `/etc/passwd` followed by a separator line and `/etc/group` into
 * users with their groups (primary first, then the others in `/etc/group`'s
 * order). Each group's members are read once, whatever the number of users.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseUsers } from "./server.ts";
 * const passwd = "app:x:1001:1001::/srv/app:/bin/sh\nroot:x:0:0:root:/root:/bin/bash\n";
 * const group = "root:x:0:\nweb:x:33:app\napp:x:1001:app\nlog:x:4:app,root\n";
 * deepStrictEqual(parseUsers(`${passwd}---skiff-separator---\n${group}`).app, {
 *   uid: 1001,
 *   gid: 1001,
 *   home: "/srv/app",
 *   shell: "/bin/sh",
 *   groups: ["app", "web", "log"],
 * });
 * ```
 */
export function parseUsers(stdout: string): Record<string, UserFact> {
  const [passwd, group = ""] = stdout.split(`${SEPARATOR}\n`);
  const groups = parseGroupFile(group);
  const byGid = new Map(Object.entries(groups).map(([name, g]) => [g.gid, name]));
  const memberOf = new Map<string, string[]>();
  for (const [groupName, g] of Object.entries(groups)) {
    for (const member of g.members) {
      const list = memberOf.get(member);
      if (list) list.push(groupName);
      else memberOf.set(member, [groupName]);
    }
  }
  const out: Record<string, UserFact> = {};
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields.length < 7 || line.startsWith("#")) continue;
    const [name, , uid, gid, , home, shell] = fields;
    const primary = byGid.get(Number(gid));
    const supplementary = (memberOf.get(name) ?? []).filter((groupName) => groupName !== primary);
    out[name] = {
      uid: Number(uid),
      gid: Number(gid),
      home,
      shell,
      groups: [...(primary ? [primary] : []), ...supplementary],
    };
  }
  return out;
}

/** Users from `/etc/passwd` and `/etc/group`. */
export const users: FactDefinition<[], Record<string, UserFact>> = {
  name: "server.users",
  signature: {
    params: "",
    returns: "Record<string, UserFact>",
    description: "user accounts by name",
  },
  command: () => `cat /etc/passwd && echo ${SEPARATOR} && cat /etc/group`,
  parse: (stdout) => parseUsers(stdout + "\n"),
};

/** Groups from `/etc/group`. */
export const groups: FactDefinition<[], Record<string, { gid: number; members: string[] }>> = {
  name: "server.groups",
  signature: {
    params: "",
    returns: "Record<string, { gid: number; members: string[] }>",
    description: "groups by name with gid and members",
  },
  command: () => "cat /etc/group",
  parse: (stdout) => parseGroupFile(stdout),
};

/** The path of a command, or null when it is not installed. */
export const which: FactDefinition<[string], string | null> = {
  name: "server.which",
  signature: {
    params: "command: string",
    returns: "string | null",
    description: "the path of a command, or null",
  },
  command: (command) => sh`command -v ${command} || true`,
  parse: (stdout) => stdout.trim() === "" ? null : stdout.trim(),
};

/** The stdout of any command. */
export const command: FactDefinition<[string], string> = {
  name: "server.command",
  signature: {
    params: "command: string",
    returns: "string",
    description: "the output of a command of your own",
  },
  command: (text) => text,
  ownShell: true,
  parse: (stdout) => stdout,
};
