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
import { readFact } from "./predicted_facts.ts";

const DNF: PackageManager = {
  op: "dnf.packages",
  name: "dnf",
  installed: rpm,
  outdated: async (ctx, names) =>
    Object.fromEntries((await readFact(ctx, dnfUpgrades, names)).map((name) => [name, null])),
  refresh: async (ctx, builder) => {
    if (!ctx.prediction) await runRecorded(ctx, sh`dnf -y makecache`, builder);
  },
  install: (specs) => sh`dnf install -y ${specs}`,
  upgrade: (names) => sh`dnf upgrade -y ${names}`,
  remove: (names) => sh`dnf remove -y ${names}`,
};

/** `dnf.packages(packages, {present, latest, update})`: installs only what is missing, in one call. */
export function packages(
  ctx: OpContext,
  options: PackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  return managePackages(ctx, DNF, options);
}
