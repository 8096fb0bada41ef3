/**
 * dnf operations: packages.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult, PackagesOptions } from "../api/mod.ts";
import { dnfUpgrades, rpm } from "../facts/packages.ts";
import { type OpContext, runRecorded } from "./context.ts";
import { managePackages, type PackageManager } from "./_packages.ts";

const DNF: PackageManager = {
  op: "dnf.packages",
  installed: (ctx) => ctx.session.fact(rpm),
  outdated: (ctx, names) => ctx.session.fact(dnfUpgrades, names),
  refresh: (ctx, builder) => runRecorded(ctx, sh`dnf -y makecache`, builder),
  install: (specs) => sh`dnf install -y ${specs}`,
  upgrade: (names) => sh`dnf upgrade -y ${names}`,
  remove: (names) => sh`dnf remove -y ${names}`,
};

/** `dnf.packages({packages, present, latest, update})`: installs only what is missing, in one call. */
export function packages(ctx: OpContext, options: PackagesOptions): Promise<OperationResult> {
  return managePackages(ctx, DNF, options);
}
