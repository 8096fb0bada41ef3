/**
 * Package facts of pacman (Arch) and zypper (openSUSE): installed packages
 * and the upgrades each would make. zypper's installed packages are the
 * rpm database's (`packages.rpm`).
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { FactDefinition } from "./fact.ts";
import type { PackageVersions } from "./packages.ts";

/**
 * Parses `pacman -Q` (`name version` per line).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parsePacmanQuery } from "./packages_more.ts";
 * deepStrictEqual(parsePacmanQuery("bash 5.2.026-2\nvim 9.1.0-1\n"), { bash: "5.2.026-2", vim: "9.1.0-1" });
 * ```
 */
export function parsePacmanQuery(stdout: string): PackageVersions {
  const out: PackageVersions = {};
  for (const line of stdout.split("\n")) {
    const [name, version] = line.trim().split(/\s+/);
    if (name && version) out[name] = version;
  }
  return out;
}

/** Installed Arch packages (`pacman -Q`). */
export const pacman: FactDefinition<[], PackageVersions> = {
  name: "packages.pacman",
  signature: {
    params: "",
    returns: "Record<string, string>",
    description: "installed Arch packages, name → version",
  },
  command: () => "pacman -Q",
  parse: parsePacmanQuery,
};

/**
 * Parses `pacman -Qu` (`name old -> new`) into name → new version.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parsePacmanUpgrades } from "./packages_more.ts";
 * deepStrictEqual(parsePacmanUpgrades("vim 9.1.0-1 -> 9.1.0-2\n"), { vim: "9.1.0-2" });
 * ```
 */
export function parsePacmanUpgrades(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const match = /^(\S+)\s+\S+\s+->\s+(\S+)/.exec(line.trim());
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** The upgrades pacman's synced databases offer for the named packages (`pacman -Qu`; exit 1: none). */
export const pacmanUpgrades: FactDefinition<[string[]], Record<string, string>> = {
  name: "packages.pacmanUpgrades",
  signature: {
    params: "names: string[]",
    returns: "Record<string, string>",
    description: "the named packages pacman can upgrade, name → new version",
  },
  command: (names) => sh`pacman -Qu -- ${names}`,
  parse: parsePacmanUpgrades,
  successCodes: [0, 1],
};

/**
 * Parses `zypper --quiet list-updates` (a table `S | Repository | Name |
 * Current Version | Available Version | Arch`) into name → available version.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseZypperUpdates } from "./packages_more.ts";
 * deepStrictEqual(
 *   parseZypperUpdates("S | Repository | Name | Current Version | Available Version | Arch\n--+---\nv | repo-oss | vim | 9.1.0-1.1 | 9.1.0-2.1 | x86_64\n"),
 *   { vim: "9.1.0-2.1" },
 * );
 * ```
 */
export function parseZypperUpdates(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length < 6 || cells[0] !== "v") continue;
    out[cells[2]] = cells[4];
  }
  return out;
}

/** The updates zypper offers for installed packages (`zypper list-updates`). */
export const zypperUpdates: FactDefinition<[], Record<string, string>> = {
  name: "packages.zypperUpdates",
  signature: {
    params: "",
    returns: "Record<string, string>",
    description: "packages zypper can update, name → new version",
  },
  command: () => "zypper --non-interactive --quiet list-updates",
  parse: parseZypperUpdates,
};
