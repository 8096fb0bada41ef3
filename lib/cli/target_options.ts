/**
 * The options that choose targets (`--data`, `--limit`, `--exclude`,
 * `--connector`, `--parallel`) and the loader that turns TARGETS and them
 * into an inventory, shared by every command that takes targets.
 *
 * @module
 */

import { type Command, Option, type OptionValues } from "@commander-js/extra-typings";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import { InputError } from "../core/errors.ts";
import { type LoadedInventory, loadInventory } from "../inventory/load.ts";
import { readLimitFiles } from "../inventory/limits.ts";
import { runProcess } from "../process.ts";
import type { CliIo } from "../report/io.ts";
import { parsePairs } from "./data_flags.ts";
import { sshFlagData, type SshFlagValues } from "./ssh_flags.ts";

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--parallel N`. */
export function parallelOption(): Option<"--parallel <n>", undefined, undefined, string, false> {
  return new Option("--parallel <n>", "hosts to work on at once (default: min(hosts, 64))");
}

/** `--connector`, alone for `fleet check` and with the other target options elsewhere. */
export function connectorOption() {
  return new Option("--connector <path>", "load a connector module (repeatable)").argParser(
    collect,
  );
}

/** The options that choose and shape targets, shared by every command that takes them. */
const EXCLUDE_HELP = "leave out these groups, hosts or globs, comma-separated (repeatable)";

/** The values of the target options. */
export interface TargetFlags {
  data?: string[];
  limit?: string[];
  exclude?: string[];
  connector?: string[];
}

/** Adds `--data`, `--limit`, `--exclude` and `--connector` (exec, deploy, facts, fleet show). */
export function addTargetOptions<
  Args extends unknown[],
  Opts extends OptionValues,
  Globals extends OptionValues,
>(
  command: Command<Args, Opts, Globals>,
) {
  return command
    .option(
      "--data <K=V>",
      "set host data for every target, values parsed as YAML (repeatable)",
      collect,
    )
    .option(
      "--limit <hosts>",
      "only these groups, hosts or globs, comma-separated (repeatable); @FILE: the names in FILE",
      collect,
    )
    .option("--exclude <hosts>", EXCLUDE_HELP, collect)
    .addOption(connectorOption());
}

/** `--parallel`, or the fleet's parallelism, or min(hosts, 64). */
export function parseParallel(value: string | undefined, inventory: LoadedInventory): number {
  const hosts = inventory.hosts.length;
  if (value === undefined) return Math.max(1, inventory.parallelism || Math.min(hosts, 64));
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(`--parallel: expected a positive integer, got "${value}"`);
  }
  return n;
}

/** Loads TARGETS with the target and SSH options, as every command that takes targets does. */
export type TargetLoader = (
  targets: string,
  flags: TargetFlags & SshFlagValues,
) => Promise<LoadedInventory>;

/** The loader of `io` (its directory, environment and terminal) and `registry`. */
export function targetLoader(io: CliIo, registry: ConnectorRegistry): TargetLoader {
  return async (targets, flags) =>
    loadInventory([targets], {
      registry,
      cliData: await sshFlagData(flags, { data: parsePairs(flags.data ?? [], "--data", true), io }),
      limits: flags.limit ?? [],
      limitFiles: await readLimitFiles(flags.limit ?? [], io.cwd),
      excludes: flags.exclude ?? [],
      connectorPaths: flags.connector ?? [],
      cwd: io.cwd,
      env: io.env,
      runProcess,
      warn: (message) => io.err(`${message}\n`),
      signal: io.signal,
    });
}
