/**
 * `--limit` and `--exclude`: narrow an inventory to the hosts named by group
 * names, host names or fnmatch globs (`*`, `?`, `[…]`, matched against host
 * and group names with the one glob in `lib/core/glob.ts`).
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { globRegExp, isGlob } from "../core/glob.ts";
import type { Inventory } from "./inventory.ts";

/** An inventory with its groups, as limits need it. */
export type GroupedInventory = Inventory & {
  groups: Readonly<Record<string, readonly string[]>>;
};

/** Which hosts to keep and which to drop. */
export interface Limits {
  /** Keep only hosts matching one of these (comma-separated, repeatable); none keeps all. */
  limit?: readonly string[];
  /** Then drop hosts matching one of these. */
  exclude?: readonly string[];
  /**
   * `--limit @FILE` values whose file exists, with the names in it; a host or
   * group of that very name (`@local`) still wins over the file.
   */
  files?: Readonly<Record<string, readonly string[]>>;
}

function patternsOf(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((value) => value.split(",")).map((p) => p.trim()).filter(Boolean);
}

/** Host names a pattern matches: a group, a host, or a glob over host and group names. */
function matching(inventory: GroupedInventory, pattern: string, flag: string): Set<string> {
  const found = new Set<string>(inventory.groups[pattern] ?? []);
  const glob = isGlob(pattern) ? globRegExp(pattern) : undefined;
  for (const host of inventory.hosts) {
    if (host.name === pattern || glob?.test(host.name)) found.add(host.name);
  }
  for (const [name, members] of Object.entries(inventory.groups)) {
    if (glob?.test(name)) members.forEach((member) => found.add(member));
  }
  const known = new Set(inventory.hosts.map((host) => host.name));
  if (![...found].some((name) => known.has(name))) {
    throw new InputError(
      `${flag} "${pattern}" matches no host or group: groups are ${
        Object.keys(inventory.groups).sort().join(", ")
      }; hosts are ${inventory.hosts.map((h) => h.name).join(", ")}`,
    );
  }
  return found;
}

/**
 * Keeps the hosts that match any `limit` pattern, then drops those that match
 * any `exclude` pattern. A pattern that matches no host is an InputError
 * listing what exists.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { applyLimits } from "./limits.ts";
 * import { LocalConnector } from "../../connectors/local.ts";
 * const host = (name: string) => ({ name, data: {}, groups: ["all"], connector: LocalConnector });
 * const inventory = {
 *   hosts: [host("web1"), host("web2"), host("db1")],
 *   config: {},
 *   groups: { all: ["web1", "web2", "db1"], web: ["web1", "web2"] },
 * };
 * deepStrictEqual(applyLimits(inventory, { limit: ["web"], exclude: ["*2"] }).hosts.map((h) => h.name), ["web1"]);
 * ```
 */
export function applyLimits<T extends GroupedInventory>(inventory: T, limits: Limits): T {
  const names = new Set([...inventory.hosts.map((h) => h.name), ...Object.keys(inventory.groups)]);
  const keep = patternsOf(
    (limits.limit ?? []).map((value) =>
      limits.files?.[value] && !names.has(value) ? limits.files[value].join(",") : value
    ),
  );
  const drop = patternsOf(limits.exclude);
  if (keep.length === 0 && drop.length === 0) return inventory;
  const kept = new Set<string>();
  for (const pattern of keep) matching(inventory, pattern, "--limit").forEach((n) => kept.add(n));
  const dropped = new Set<string>();
  for (const pattern of drop) {
    matching(inventory, pattern, "--exclude").forEach((n) => dropped.add(n));
  }
  return {
    ...inventory,
    hosts: inventory.hosts.filter((host) =>
      (keep.length === 0 || kept.has(host.name)) && !dropped.has(host.name)
    ),
  };
}

/**
 * Reads the files of `--limit @FILE` values: each value `@PATH` naming an
 * existing file maps to the names in it, one a line (blank lines and `#`
 * comments skipped), as a run lists its failed hosts. A file that names no
 * host is an InputError, not "every host".
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { readLimitFiles } from "./limits.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/failed`, "web3\n# retried\nweb7\n");
 * deepStrictEqual(await readLimitFiles(["@failed", "db*", "@local"], dir), { "@failed": ["web3", "web7"] });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readLimitFiles(
  values: readonly string[],
  cwd: string,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const value of values) {
    if (!value.startsWith("@")) continue;
    const path = value.slice(1).startsWith("/") ? value.slice(1) : `${cwd}/${value.slice(1)}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
        continue;
      }
      throw error;
    }
    const names = text.split("\n").map((name) => name.trim())
      .filter((name) => name !== "" && !name.startsWith("#"));
    if (names.length === 0) throw new InputError(`--limit ${value}: the file names no host`);
    out[value] = names;
  }
  return out;
}
