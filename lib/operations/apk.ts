/**
 * apk (Alpine) operations: packages.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { OperationResult, PackagesOptions } from "../api/mod.ts";
import { apk, apkOutdated } from "../facts/packages.ts";
import { type OpContext, runRecorded } from "./context.ts";
import { managePackages, type PackageManager } from "./_packages.ts";
import { readFact } from "./predicted_facts.ts";

const APK: PackageManager = {
  op: "apk.packages",
  name: "apk",
  versionSeparator: "=",
  installed: apk,
  outdated: async (ctx, names) =>
    Object.fromEntries(
      (await readFact(ctx, apkOutdated)).filter((name) => names.includes(name)).map((
        name,
      ) => [name, null]),
    ),
  refresh: async (ctx, builder) => {
    if (!ctx.prediction) await runRecorded(ctx, sh`apk update`, builder);
  },
  install: (specs) => sh`apk add ${specs}`,
  upgrade: (names) => sh`apk add -u ${names}`,
  remove: (names) => sh`apk del ${names}`,
};

/** `apk.packages(packages, {present, latest, update})`: installs only what is missing, in one call. */
export function packages(
  ctx: OpContext,
  options: PackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  return managePackages(ctx, APK, options);
}
