/**
 * The shared plan of every package operation: read the installed packages
 * (a fact), work out what is missing, outdated or to remove, and change it
 * with one command per kind of change.
 *
 * @module
 */

import type { Command } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import type { PackageVersions } from "../facts/packages.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";

/** What a package manager contributes to the plan. */
export interface PackageManager {
  /** The operation name, for messages (`apt.packages`). */
  readonly op: string;
  /** Splits `name=version` when the manager pins versions that way. */
  readonly versionSeparator?: string;
  /** Installed packages. */
  installed(ctx: OpContext): Promise<PackageVersions>;
  /** Which of the installed `names` have a newer version. */
  outdated(ctx: OpContext, names: string[]): Promise<string[]>;
  /** Refreshes the package index (recorded, not reported as a change). */
  refresh(ctx: OpContext, builder: ResultBuilder): Promise<void>;
  /** The command that installs (or upgrades) `specs`. */
  install(specs: string[]): Command;
  /** The command that upgrades installed `names` (default: `install`). */
  upgrade?(names: string[]): Command;
  /** The command that removes `names`. */
  remove(names: string[]): Command;
}

/** Options every package operation takes. */
export interface PackageOptions {
  packages?: unknown;
  present?: boolean;
  latest?: boolean;
  update?: boolean;
}

/** Validates the `packages` option: a name or a list of names. */
export function packageNames(value: unknown, op: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) || list.length === 0 ||
    list.some((item) =>
      typeof item !== "string" || !/^[A-Za-z0-9][A-Za-z0-9.+:~_=<>*-]*$/.test(item)
    )
  ) {
    throw new InputError(
      `${op}: packages must be a package name or a list of names, got ${JSON.stringify(value)}`,
    );
  }
  return [...new Set(list as string[])];
}

/** Installs what is missing, upgrades what is outdated (with `latest`) or removes, in few calls. */
export async function managePackages(
  ctx: OpContext,
  manager: PackageManager,
  options: PackageOptions,
): Promise<OperationResult> {
  const specs = packageNames(options.packages, manager.op);
  const builder = new ResultBuilder();
  if (options.update && !ctx.dryRun) await manager.refresh(ctx, builder);
  const installed = await manager.installed(ctx);
  const parse = (spec: string) => {
    const at = manager.versionSeparator ? spec.indexOf(manager.versionSeparator) : -1;
    return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name: spec };
  };
  if (options.present === false) {
    const remove = specs.map((spec) => parse(spec).name).filter((name) => name in installed);
    if (remove.length > 0) {
      builder.change(`removed ${remove.join(" ")}`);
      if (!ctx.dryRun) await runRecorded(ctx, manager.remove(remove), builder);
    }
  } else {
    const missing = specs.filter((spec) => {
      const { name, version } = parse(spec);
      return !(name in installed) || (version !== undefined && installed[name] !== version);
    });
    const present = specs.filter((spec) => !missing.includes(spec) && !parse(spec).version)
      .map((spec) => parse(spec).name);
    const outdated = options.latest && present.length > 0
      ? await manager.outdated(ctx, present)
      : [];
    if (missing.length > 0) builder.change(`installed ${missing.join(" ")}`);
    if (outdated.length > 0) builder.change(`upgraded ${outdated.join(" ")}`);
    if (!ctx.dryRun) {
      if (manager.upgrade === undefined && missing.length + outdated.length > 0) {
        await runRecorded(ctx, manager.install([...missing, ...outdated]), builder);
      } else {
        if (missing.length > 0) await runRecorded(ctx, manager.install(missing), builder);
        if (outdated.length > 0) await runRecorded(ctx, manager.upgrade!(outdated), builder);
      }
    }
  }
  if (builder.changed && !ctx.dryRun) ctx.session.invalidateFacts("packages.");
  return builder.done(`${specs.join(" ")} ${options.present === false ? "absent" : "installed"}`);
}
