/**
 * Every fact a deploy or `skiff facts` can ask for, by dotted name.
 *
 * @module
 */

import type { FactDefinition } from "./fact.ts";
import * as cron from "./cron.ts";
import * as docker from "./docker.ts";
import * as files from "./files.ts";
import * as npm from "./npm.ts";
import * as pip from "./pip.ts";
import * as postgres from "./postgres.ts";
import * as packages from "./packages.ts";
import * as packagesMore from "./packages_more.ts";
import * as server from "./server.ts";
import * as system from "./system.ts";
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
  "server.mounts": system.mounts,
  "server.memory": system.memory,
  "server.cpus": system.cpus,
  "network.addresses": system.addresses,
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
  "packages.pacman": packagesMore.pacman,
  "packages.pacmanUpgrades": packagesMore.pacmanUpgrades,
  "packages.zypperUpdates": packagesMore.zypperUpdates,
  "systemd.running": systemd.running,
  "systemd.service": systemd.service,
  "cron.entries": cron.entries,
  "docker.containers": docker.containers,
  "pip.packages": pip.packages,
  "npm.packages": npm.packages,
  "postgres.roles": postgres.roles,
  "postgres.databases": postgres.databases,
};

/** Facts that take no argument, gathered by `skiff facts` when none are named. */
export const DEFAULT_FACTS = [
  "server.hostname",
  "server.os",
  "server.arch",
  "server.kernel",
] as const;
