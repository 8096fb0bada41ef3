/**
 * The plan shared by the language package operations (`pip.packages`,
 * `npm.packages`): packages live in one place (a virtual environment, a
 * project directory, or the host-wide one), keyed in the predicted state as
 * `PREFIX:name`; only what differs is installed, upgraded or removed, each
 * in one call.
 *
 * @module
 */

import type { Command } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import { type OpContext, ResultBuilder, runRecorded } from "./context.ts";
import { fileKey } from "./file_state.ts";
import { type PackageState, predict, readKey } from "./predicted_facts.ts";
import { dependsResult, known, StateUnknown, UNKNOWN } from "./predicted_state.ts";

/** A package spec split: the name, and the exact version it pins (if it pins one). */
export interface LangSpec {
  spec: string;
  name: string;
  version?: string;
}

/** What one language's package manager contributes. */
export interface LangManager {
  /** The operation, for messages (`pip.packages`). */
  readonly op: string;
  /** The predicted-state prefix of its packages (`pip:/srv/venv:`). */
  readonly prefix: string;
  /** The directory its packages are files under, when there is one. */
  readonly dir?: string;
  /** Splits and checks a spec; throws an InputError naming it. */
  parse(spec: string): LangSpec;
  /** The installed packages by name (a real read of the host). */
  installed(builder: ResultBuilder): Promise<Record<string, string>>;
  /** Which of the installed `names` have a newer version, with that version. */
  outdated(names: string[], builder: ResultBuilder): Promise<Record<string, string>>;
  /**
   * In a dry run on a place no earlier operation touched: what installing
   * `specs` would install (name → version), from the manager's own dry run.
   */
  simulate?(specs: string[], builder: ResultBuilder): Promise<Record<string, string>>;
  /** Installs `specs` (upgrading them with `upgrade`). */
  install(specs: string[], upgrade: boolean): Command;
  /** Removes `names`. */
  remove(names: string[]): Command;
}

/** The state keys of the place a manager's packages live: their prefix and the files of its directory. */
function placeKeys(manager: LangManager): string[] {
  return [
    manager.prefix,
    ...(manager.dir ? [`${fileKey(manager.dir)}/`, fileKey(manager.dir)] : []),
  ];
}

/** Checks `packages`: a spec or a non-empty list of them, each parsed by the manager. */
export function langSpecs(manager: LangManager, value: unknown): LangSpec[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== "string")) {
    throw new InputError(
      `${manager.op} packages: expected a package spec or a list of them, got ${
        JSON.stringify(value)
      }`,
    );
  }
  return [...new Set(list as string[])].map((spec) => manager.parse(spec));
}

/** Checks an optional boolean option. */
export function flag(
  op: string,
  options: Record<string, unknown>,
  key: string,
): boolean | undefined {
  const value = options[key];
  if (value !== undefined && typeof value !== "boolean") {
    throw new InputError(`${op} ${key}: expected true or false, got ${JSON.stringify(value)}`);
  }
  return value as boolean | undefined;
}

/**
 * Brings `specs` to `present` (with `latest`: upgraded when outdated):
 * reads each through the predicted state, changes only what differs, and
 * in a dry run states the result.
 */
export async function manageLang(
  ctx: OpContext,
  manager: LangManager,
  { specs, present, latest }: { specs: LangSpec[]; present: boolean; latest: boolean },
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  let listed: Promise<Record<string, string>> | undefined;
  const host = () => listed ??= manager.installed(builder);
  const state: Record<string, PackageState> = {};
  for (const { name } of specs) {
    state[name] = await readKey<PackageState>(ctx, manager.prefix + name, async () => {
      const version = (await host())[name];
      return version === undefined ? { installed: false } : { installed: true, version };
    });
  }
  const key = (name: string) => manager.prefix + name;
  const names = specs.map((spec) => spec.name).join(" ");
  if (!present) {
    const remove = specs.filter(({ name }) => state[name].installed).map(({ name }) => name);
    if (remove.length === 0) return builder.done(`${names} absent`);
    builder.change(`removed ${remove.join(" ")}`);
    settleState(ctx, manager, remove.map((name) => [key(name), { installed: false }]));
    if (!ctx.dryRun) await runRecorded(ctx, manager.remove(remove), builder);
    return builder.done("");
  }
  // A pinned version the dry run cannot know (a tarball's, say): the outcome depends on it.
  const unsure = specs.filter(({ name, version }) =>
    version !== undefined && state[name].installed && state[name].version === UNKNOWN
  );
  const missing = specs.filter(({ name, version }) =>
    !state[name].installed ||
    (version !== undefined && !unsure.some((spec) => spec.name === name) &&
      state[name].version !== version)
  );
  if (unsure.length > 0 && ctx.prediction) {
    settleState(
      ctx,
      manager,
      [...missing, ...unsure].map((
        { name, version },
      ) => [key(name), { installed: true, version: version ?? UNKNOWN }]),
    );
    return dependsResult();
  }
  const kept = specs.filter((spec) => !missing.includes(spec) && spec.version === undefined);
  if (latest) { for (const { name } of kept) known(state[name].version!, key(name)); }
  // What is outdated is read from the host: after an earlier change here a dry run cannot tell.
  const touched = ctx.prediction?.state.touchedBy(placeKeys(manager));
  if (latest && kept.length > 0 && touched) throw new StateUnknown(manager.prefix, touched.cause);
  const newer = latest && kept.length > 0
    ? await manager.outdated(kept.map(({ name }) => name), builder)
    : {};
  const upgrade = kept.filter(({ name }) => newer[name] !== undefined);
  if (missing.length + upgrade.length === 0) return builder.done(`${names} installed`);
  if (missing.length > 0) builder.change(`installed ${missing.map(({ spec }) => spec).join(" ")}`);
  if (upgrade.length > 0) {
    builder.change(
      `upgraded ${
        upgrade.map(({ name }) => `${name} ${String(state[name].version)} -> ${newer[name]}`).join(
          ", ",
        )
      }`,
    );
  }
  if (ctx.prediction) {
    const simulated = !touched && missing.length > 0 && manager.simulate
      ? await manager.simulate(missing.map(({ spec }) => spec), builder)
      : undefined;
    const named: [string, PackageState][] = [
      ...missing.map(({ name, version }): [string, PackageState] => [
        key(name),
        { installed: true, version: simulated?.[name] ?? version ?? UNKNOWN },
      ]),
      ...upgrade.map((
        { name },
      ): [string, PackageState] => [key(name), { installed: true, version: newer[name] }]),
    ];
    if (simulated) {
      for (const [name, version] of Object.entries(simulated)) {
        named.push([key(name), { installed: true, version }]);
      }
    }
    settleState(ctx, manager, named, simulated !== undefined);
    return builder.done("");
  }
  if (missing.length > 0) {
    await runRecorded(
      ctx,
      manager.install(missing.map(({ spec }) => spec), false),
      builder,
    );
  }
  if (upgrade.length > 0) {
    await runRecorded(
      ctx,
      manager.install(upgrade.map(({ name }) => name), true),
      builder,
    );
  }
  return builder.done("");
}

/**
 * States a dry run's package change: the files under the manager's
 * directory are unknown, and unless its own dry run listed what changes,
 * other packages may have come as dependencies (an installed one stays
 * installed, its version unknown); then the named packages.
 */
function settleState(
  ctx: OpContext,
  manager: LangManager,
  named: [string, PackageState][],
  exact = false,
): void {
  if (!ctx.prediction) return;
  const { state, cause } = ctx.prediction;
  if (manager.dir !== undefined) state.forget(`${fileKey(manager.dir)}/`, cause);
  if (!exact) {
    state.forget(manager.prefix, cause, {
      rule: {
        keep: (host) =>
          (host as PackageState).installed ? { installed: true, version: UNKNOWN } : UNKNOWN,
      },
    });
  }
  for (const [key, value] of named) predict(ctx, key, value);
}
