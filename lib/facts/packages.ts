/**
 * Package facts: installed Debian, RPM and Alpine packages with their
 * versions, which package manager a host has, and how old apt's lists are.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { FactDefinition } from "./fact.ts";

/** Installed packages: name → version. */
export type PackageVersions = Record<string, string>;

/**
 * Parses `dpkg-query -W -f '${db:Status-Abbrev}\t${Package}\t${Version}\n'`:
 * only fully installed packages (status `ii` or `hi`) count.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseDpkgQuery } from "./packages.ts";
 * deepStrictEqual(parseDpkgQuery("ii \tbash\t5.2.15-2+b7\nrc \told\t1.0\n"), { bash: "5.2.15-2+b7" });
 * ```
 */
export function parseDpkgQuery(stdout: string): PackageVersions {
  const out: PackageVersions = {};
  for (const line of stdout.split("\n")) {
    const [status, name, version] = line.split("\t");
    if (name && version !== undefined && /^[ih]i/.test(status)) out[name] = version;
  }
  return out;
}

/** Installed Debian packages (`dpkg-query`). */
export const deb: FactDefinition<[], PackageVersions> = {
  name: "packages.deb",
  signature: {
    params: "",
    returns: "Record<string, string>",
    description: "installed Debian packages, name → version",
  },
  command: () => sh`dpkg-query -W -f ${"${db:Status-Abbrev}\t${Package}\t${Version}\n"}`,
  parse: parseDpkgQuery,
};

/**
 * Parses `rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\n'`; a package
 * installed in several versions (kernels) lists them space-separated.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseRpmQuery } from "./packages.ts";
 * deepStrictEqual(parseRpmQuery("bash\t5.2.26-3.fc40\n"), { bash: "5.2.26-3.fc40" });
 * ```
 */
export function parseRpmQuery(stdout: string): PackageVersions {
  const out: PackageVersions = {};
  for (const line of stdout.split("\n")) {
    const [name, version] = line.split("\t");
    if (!name || version === undefined) continue;
    out[name] = out[name] ? `${out[name]} ${version}` : version;
  }
  return out;
}

/** Installed RPM packages (`rpm -qa`). */
export const rpm: FactDefinition<[], PackageVersions> = {
  name: "packages.rpm",
  signature: {
    params: "",
    returns: "Record<string, string>",
    description: "installed RPM packages, name → version",
  },
  command: () => sh`rpm -qa --qf ${"%{NAME}\t%{VERSION}-%{RELEASE}\n"}`,
  parse: parseRpmQuery,
};

/**
 * Parses `apk info -v` (`name-version-rN` per line).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseApkInfo } from "./packages.ts";
 * deepStrictEqual(parseApkInfo("musl-utils-1.2.5-r0\nbusybox-1.36.1-r29\n"), { "musl-utils": "1.2.5-r0", busybox: "1.36.1-r29" });
 * ```
 */
export function parseApkInfo(stdout: string): PackageVersions {
  const out: PackageVersions = {};
  for (const line of stdout.split("\n")) {
    const match = /^(.+)-([^-]+-r\d+)$/.exec(line.trim());
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** Installed Alpine packages (`apk info -v`). */
export const apk: FactDefinition<[], PackageVersions> = {
  name: "packages.apk",
  signature: {
    params: "",
    returns: "Record<string, string>",
    description: "installed Alpine packages, name → version",
  },
  command: () => "apk info -v 2>/dev/null",
  parse: parseApkInfo,
};

/** The package managers skiff drives, in the order they are looked for. */
export const MANAGERS = ["apt-get", "dnf", "yum", "apk"] as const;

/** The first of apt-get, dnf, yum and apk found on the host, or null. */
export const manager: FactDefinition<[], (typeof MANAGERS)[number] | null> = {
  name: "packages.manager",
  signature: {
    params: "",
    returns: `"apt-get" | "dnf" | "yum" | "apk" | null`,
    description: "the host's package manager",
  },
  command: () =>
    sh`for m in ${[
      ...MANAGERS,
    ]}; do if command -v "$m" >/dev/null 2>&1; then echo "$m"; exit 0; fi; done`,
  parse: (stdout) => {
    const found = stdout.trim();
    return (MANAGERS as readonly string[]).includes(found)
      ? found as (typeof MANAGERS)[number]
      : null;
  },
};

/**
 * Seconds since apt's lists were last updated (the periodic success stamp,
 * else the lists directory), or null when apt has never updated them.
 */
export const aptListsAge: FactDefinition<[], number | null> = {
  name: "packages.aptListsAge",
  signature: {
    params: "",
    returns: "number | null",
    description: "seconds since apt's lists were updated; null when never",
  },
  command: () =>
    sh`s=/var/lib/apt/periodic/update-success-stamp; [ -e "$s" ] || s=/var/lib/apt/lists
if [ -e "$s" ]; then echo $(( $(date +%s) - $(stat -c %Y "$s") )); fi`,
  parse: (stdout) => stdout.trim() === "" ? null : Number(stdout.trim()),
};

/**
 * Parses `apt-cache policy NAME…` into the installed and candidate version of
 * each package (`null` for "(none)").
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseAptPolicy } from "./packages.ts";
 * deepStrictEqual(parseAptPolicy("hello:\n  Installed: (none)\n  Candidate: 2.10-3\n"), { hello: { installed: null, candidate: "2.10-3" } });
 * ```
 */
export function parseAptPolicy(
  stdout: string,
): Record<string, { installed: string | null; candidate: string | null }> {
  const out: Record<string, { installed: string | null; candidate: string | null }> = {};
  let current: string | null = null;
  for (const line of stdout.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      current = head[1];
      out[current] = { installed: null, candidate: null };
      continue;
    }
    const field = /^\s+(Installed|Candidate):\s*(\S+)/.exec(line);
    if (field && current) {
      const value = field[2] === "(none)" ? null : field[2];
      if (field[1] === "Installed") out[current].installed = value;
      else out[current].candidate = value;
    }
  }
  return out;
}

/** Installed and candidate versions of the named packages (`apt-cache policy`). */
export const aptPolicy: FactDefinition<
  [string[]],
  Record<string, { installed: string | null; candidate: string | null }>
> = {
  name: "packages.aptPolicy",
  signature: {
    params: "names: string[]",
    returns: "Record<string, { installed: string | null; candidate: string | null }>",
    description: "installed and candidate versions (`apt-cache policy`)",
  },
  command: (names) => sh`LC_ALL=C apt-cache policy ${names}`,
  parse: parseAptPolicy,
};

/**
 * Parses `dnf -q list --upgrades NAME…` (`name.arch  version  repo`) into the
 * names that have an upgrade.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseDnfUpgrades } from "./packages.ts";
 * deepStrictEqual(parseDnfUpgrades("Available Upgrades\nbash.x86_64  5.2.26-4.fc40  updates\n"), ["bash"]);
 * ```
 */
export function parseDnfUpgrades(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^(\S+)\.[A-Za-z0-9_]+\s+\S+\s+\S+/.exec(line);
    if (match) out.push(match[1]);
  }
  return out;
}

/** The named packages that dnf could upgrade. */
export const dnfUpgrades: FactDefinition<[string[]], string[]> = {
  name: "packages.dnfUpgrades",
  signature: {
    params: "names: string[]",
    returns: "string[]",
    description: "which of the named packages dnf can upgrade",
  },
  command: (names) => sh`dnf -q list --upgrades ${names} 2>/dev/null || true`,
  parse: parseDnfUpgrades,
};

/**
 * Parses `apk version -l '<'` (`name-version-rN < newer`) into the names of
 * outdated packages.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseApkOutdated } from "./packages.ts";
 * deepStrictEqual(parseApkOutdated("Installed:  Available:\ncurl-8.9.0-r0  < 8.9.1-r0\n"), ["curl"]);
 * ```
 */
export function parseApkOutdated(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split("\n")) {
    const match = /^(.+)-[^-]+-r\d+\s+</.exec(line.trim());
    if (match) out.push(match[1]);
  }
  return out;
}

/** Installed Alpine packages with a newer version available. */
export const apkOutdated: FactDefinition<[], string[]> = {
  name: "packages.apkOutdated",
  signature: {
    params: "",
    returns: "string[]",
    description: "installed Alpine packages with a newer version",
  },
  command: () => "apk version -l '<' 2>/dev/null || true",
  parse: parseApkOutdated,
};
