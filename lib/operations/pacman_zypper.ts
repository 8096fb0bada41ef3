/**
 * pacman (Arch) and zypper (openSUSE) packages, in the shape of
 * `apt.packages`: the shared plan of `_packages.ts` with each manager's
 * commands and facts.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult, PackagesOptions } from "../api/mod.ts";
import { rpm } from "../facts/packages.ts";
import { pacman, pacmanUpgrades, zypperUpdates } from "../facts/packages_more.ts";
import { type OpContext, runRecorded } from "./context.ts";
import { managePackages, type PackageManager } from "./_packages.ts";
import { readFact } from "./predicted_facts.ts";

const PACMAN: PackageManager = {
  op: "pacman.packages",
  name: "pacman",
  installed: pacman,
  outdated: async (ctx, names) => await readFact(ctx, pacmanUpgrades, names),
  refresh: async (ctx, builder) => {
    if (!ctx.prediction) await runRecorded(ctx, sh`pacman -Sy --noconfirm`, builder);
  },
  install: (specs) => sh`pacman -S --noconfirm --needed -- ${specs}`,
  upgrade: (names) => sh`pacman -S --noconfirm -- ${names}`,
  remove: (names) => sh`pacman -R --noconfirm -- ${names}`,
};

const ZYPPER: PackageManager = {
  op: "zypper.packages",
  name: "zypper",
  versionSeparator: "=",
  installed: rpm,
  outdated: async (ctx, names) => {
    const updates = await readFact(ctx, zypperUpdates);
    return Object.fromEntries(names.filter((name) => name in updates).map((n) => [n, updates[n]]));
  },
  refresh: async (ctx, builder) => {
    if (!ctx.prediction) await runRecorded(ctx, sh`zypper --non-interactive refresh`, builder);
  },
  install: (specs) => sh`zypper --non-interactive install -- ${specs}`,
  upgrade: (names) => sh`zypper --non-interactive update -- ${names}`,
  remove: (names) => sh`zypper --non-interactive remove -- ${names}`,
};

/**
 * `pacman.packages(packages, {present, latest, update})`: `pacman -S
 * --needed` for what `pacman -Q` lacks (with `latest`, what `pacman -Qu`
 * offers too), or `pacman -R`; `update` runs `pacman -Sy` first.
 */
export function pacmanPackages(
  ctx: OpContext,
  options: PackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  return managePackages(ctx, PACMAN, options);
}

/**
 * `zypper.packages(packages, {present, latest, update})`: `zypper install`
 * for what the rpm database lacks (`name=version` pins), with `latest`
 * `zypper update` for what `zypper list-updates` offers, or `zypper
 * remove`; `update` runs `zypper refresh` first.
 */
export function zypperPackages(
  ctx: OpContext,
  options: PackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  return managePackages(ctx, ZYPPER, options);
}
