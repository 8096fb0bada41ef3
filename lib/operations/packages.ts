/**
 * `packages.install`: packages with whichever manager the host has, chosen
 * from its OS (`/etc/os-release` ID and ID_LIKE) or, failing that, from the
 * tools installed.
 *
 * @module
 */

import type { OperationResult, PackagesOptions } from "../api/mod.ts";
import { OperationError } from "../core/errors.ts";
import { manager as managerFact } from "../facts/packages.ts";
import { os } from "../facts/server.ts";
import * as apk from "./apk.ts";
import * as apt from "./apt.ts";
import type { OpContext } from "./context.ts";
import { readFact } from "./predicted_facts.ts";
import { StateUnknown } from "./predicted_state.ts";
import * as dnf from "./dnf.ts";

const BY_OS: Readonly<Record<string, "apt" | "dnf" | "apk">> = {
  debian: "apt",
  ubuntu: "apt",
  fedora: "dnf",
  rhel: "dnf",
  centos: "dnf",
  rocky: "dnf",
  almalinux: "dnf",
  alpine: "apk",
};

/**
 * The manager for an OS id and its ID_LIKE list, or null.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { managerForOs } from "./packages.ts";
 * deepStrictEqual(managerForOs("linuxmint", ["ubuntu", "debian"]), "apt");
 * ```
 */
export function managerForOs(id: string, idLike: readonly string[]): "apt" | "dnf" | "apk" | null {
  for (const candidate of [id, ...idLike]) {
    if (BY_OS[candidate]) return BY_OS[candidate];
  }
  return null;
}

/** `packages.install(packages, {present, latest, update})`. */
export async function install(
  ctx: OpContext,
  options: PackagesOptions & { packages: string | string[] },
): Promise<OperationResult> {
  const release = await readFact(ctx, os).catch((error) => {
    if (error instanceof StateUnknown) throw error;
    return null;
  });
  let chosen = release ? managerForOs(release.id, release.idLike) : null;
  if (chosen === null) {
    const found = await readFact(ctx, managerFact);
    chosen = found === "apt-get" ? "apt" : found === "yum" ? "dnf" : found;
  }
  switch (chosen) {
    case "apt":
      return await apt.packages(ctx, options);
    case "dnf":
      return await dnf.packages(ctx, options);
    case "apk":
      return await apk.packages(ctx, options);
    default:
      throw new OperationError(
        `packages.install: no supported package manager on ${ctx.session.name} (looked for apt-get, dnf and apk)`,
      );
  }
}
