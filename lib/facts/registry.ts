/**
 * Every fact a deploy or `skiff facts` can ask for, by dotted name.
 *
 * @module
 */

import type { FactDefinition } from "./fact.ts";
import * as cron from "./cron.ts";
import * as files from "./files.ts";
import * as packages from "./packages.ts";
import * as server from "./server.ts";
import * as systemd from "./systemd.ts";

/** Facts by name, for example `server.os`; each with its signature (for the deploy API and `skiff ops`). */
// deno-lint-ignore no-explicit-any
export const FACTS: Readonly<Record<string, FactDefinition<any[], unknown>>> = {
  "server.hostname": server.hostname,
  "server.os": server.os,
  "server.arch": server.arch,
  "server.kernel": server.kernel,
  "server.users": server.users,
  "server.groups": server.groups,
  "server.which": server.which,
  "server.command": server.command,
  "files.stat": files.stat,
  "files.sha256": files.sha256,
  "packages.deb": packages.deb,
  "packages.rpm": packages.rpm,
  "packages.apk": packages.apk,
  "packages.manager": packages.manager,
  "packages.aptListsAge": packages.aptListsAge,
  "packages.aptPolicy": packages.aptPolicy,
  "packages.dnfUpgrades": packages.dnfUpgrades,
  "packages.apkOutdated": packages.apkOutdated,
  "systemd.running": systemd.running,
  "systemd.service": systemd.service,
  "cron.entries": cron.entries,
};

/** Facts that take no argument, gathered by `skiff facts` when none are named. */
export const DEFAULT_FACTS = [
  "server.hostname",
  "server.os",
  "server.arch",
  "server.kernel",
] as const;
