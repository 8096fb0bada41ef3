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
import type { FactDefinition } from "../facts/fact.ts";
import type { PackageVersions } from "../facts/packages.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { packageChange } from "./effects.ts";
import { type PackageState, predict, readKey } from "./predicted_facts.ts";
import { type Known, known, UNKNOWN } from "./predicted_state.ts";

/** What a package manager contributes to the plan. */
export interface PackageManager {
  /** The operation name, for messages (`apt.packages`). */
  readonly op: string;
  /** Splits `name=version` when the manager pins versions that way. */
  readonly versionSeparator?: string;
  /** The manager's name in predicted state keys (`package:apt:nginx`). */
  readonly name: "apt" | "dnf" | "apk" | "pacman" | "zypper";
  /** The fact that lists installed packages. */
  readonly installed: FactDefinition<[], PackageVersions>;
  /** Which of the installed `names` have a newer version (and which, when known). */
  outdated(ctx: OpContext, names: string[]): Promise<Record<string, string | null>>;
  /** Refreshes the package index (recorded, not reported as a change); in a dry run states it. */
  refresh(ctx: OpContext, builder: ResultBuilder): Promise<void>;
  /** The command that installs (or upgrades) `specs`. */
  install(specs: string[]): Command;
  /** The command that upgrades installed `names` (default: `install`). */
  upgrade?(names: string[]): Command;
  /** The command that removes `names`. */
  remove(names: string[]): Command;
  /**
   * In a dry run: every package the change would install (with its version)
   * or remove, from the manager's own simulation (`apt-get -s`); undefined
   * when it cannot tell (no package lists yet, say).
   */
  simulate?(
    ctx: OpContext,
    removing: boolean,
    specs: string[],
  ): Promise<Simulated | undefined>;
}

/** What a package manager's simulation says a change would do. */
export interface Simulated {
  /** Installed or upgraded: name → version. */
  installed: Record<string, string>;
  /** Removed. */
  removed: string[];
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

/**
 * Installed versions of `names` (absent: not installed): the host's in a
 * real run; in a dry run through the predicted state, one name at a time.
 */
async function installedOf(
  ctx: OpContext,
  manager: PackageManager,
  names: string[],
): Promise<Record<string, Known<string>>> {
  if (!ctx.prediction) return await ctx.session.hostFact(manager.installed);
  const host = await ctx.session.hostFact(manager.installed);
  const out: Record<string, Known<string>> = {};
  for (const name of names) {
    const found = await readKey<PackageState>(
      ctx,
      `package:${manager.name}:${name}`,
      () => Promise.resolve({ installed: name in host, version: host[name] }),
    );
    if (found.installed) out[name] = found.version ?? UNKNOWN;
  }
  return out;
}

/** Installs what is missing, upgrades what is outdated (with `latest`) or removes, in few calls. */
export async function managePackages(
  ctx: OpContext,
  manager: PackageManager,
  options: PackageOptions,
): Promise<OperationResult> {
  const specs = packageNames(options.packages, manager.op);
  const builder = new ResultBuilder();
  if (options.update) await manager.refresh(ctx, builder);
  const parse = (spec: string) => {
    const at = manager.versionSeparator ? spec.indexOf(manager.versionSeparator) : -1;
    return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name: spec };
  };
  const installed = await installedOf(ctx, manager, specs.map((spec) => parse(spec).name));
  const key = (name: string) => `package:${manager.name}:${name}`;
  const diff: string[] = [];
  if (options.present === false) {
    const remove = specs.map((spec) => parse(spec).name).filter((name) => name in installed);
    if (remove.length > 0) {
      builder.change(`removed ${remove.join(" ")}`);
      diff.push(...remove.map((name) => `-${name}`));
      if (!ctx.dryRun) await runRecorded(ctx, manager.remove(remove), builder);
      else {
        const simulated = await manager.simulate?.(ctx, true, remove);
        const named = remove.map((
          name,
        ): [string, PackageState] => [key(name), { installed: false }]);
        stateChange(ctx, manager, { removing: true, simulated }, named);
      }
    }
  } else {
    const missing = specs.filter((spec) => {
      const { name, version } = parse(spec);
      return !(name in installed) ||
        (version !== undefined && known(installed[name], key(name)) !== version);
    });
    const present = specs.filter((spec) => !missing.includes(spec) && !parse(spec).version)
      .map((spec) => parse(spec).name);
    const upgrades = options.latest && present.length > 0
      ? await manager.outdated(ctx, present)
      : {};
    const outdated = Object.keys(upgrades);
    if (missing.length > 0) builder.change(`installed ${missing.join(" ")}`);
    if (outdated.length > 0) builder.change(`upgraded ${outdated.join(" ")}`);
    diff.push(...missing.map((spec) => `+${spec}`));
    diff.push(...outdated.map((name) => {
      const from = installed[name] === UNKNOWN ? "?" : installed[name];
      return `${name} ${from} → ${upgrades[name] ?? "newer"}`;
    }));
    if (!ctx.dryRun) {
      if (manager.upgrade === undefined && missing.length + outdated.length > 0) {
        await runRecorded(ctx, manager.install([...missing, ...outdated]), builder);
      } else {
        if (missing.length > 0) await runRecorded(ctx, manager.install(missing), builder);
        if (outdated.length > 0) await runRecorded(ctx, manager.upgrade!(outdated), builder);
      }
    } else if (missing.length + outdated.length > 0) {
      const simulated = await manager.simulate?.(ctx, false, [...missing, ...outdated]);
      stateChange(ctx, manager, { removing: false, simulated }, [
        ...missing.map((spec): [string, PackageState] => [
          key(parse(spec).name),
          { installed: true, version: parse(spec).version ?? UNKNOWN },
        ]),
        ...outdated.map((name): [string, PackageState] => [
          key(name),
          { installed: true, version: upgrades[name] ?? UNKNOWN },
        ]),
      ]);
    }
  }
  if (ctx.wantDiff && diff.length > 0) builder.diff(diff.join("\n"));
  if (builder.changed && !ctx.dryRun) ctx.session.invalidateFacts("packages.");
  return builder.done(`${specs.join(" ")} ${options.present === false ? "absent" : "installed"}`);
}

/**
 * States a predicted package change: what a package manager may change
 * besides the packages (see `packageChange`), every package its simulation
 * says would change, or else any package, then the named ones.
 */
function stateChange(
  ctx: OpContext,
  manager: PackageManager,
  { removing, simulated }: { removing: boolean; simulated?: Simulated },
  named: [string, PackageState][],
): void {
  if (!ctx.prediction) return;
  const { state, cause } = ctx.prediction;
  packageChange(state, manager.name, cause, { removing, simulated: simulated !== undefined });
  for (const [name, version] of Object.entries(simulated?.installed ?? {})) {
    predict(ctx, `package:${manager.name}:${name}`, { installed: true, version });
  }
  for (const name of simulated?.removed ?? []) {
    predict(ctx, `package:${manager.name}:${name}`, { installed: false });
  }
  const prefix = `package:${manager.name}:`;
  for (const [key, value] of named) {
    // The simulation's version is better than an unknown one.
    const listed = simulated !== undefined && key.slice(prefix.length) in simulated.installed;
    if (!(listed && value.installed && value.version === UNKNOWN)) predict(ctx, key, value);
  }
}
