/**
 * Builds the inventory from TARGETS: fleet files (merged in order, with
 * their boats and user connectors) or comma-separated host names. This file
 * does the IO (reading fleets, loading connector modules, running boats,
 * expanding names); the merge and its data precedence are pure, in
 * `merge.ts`, and `--limit`/`--exclude` are in `limits.ts`.
 *
 * @module
 */

import type { ConnectorClass } from "../../connectors/base.ts";
import { connectorClassesOf } from "../../connectors/kit.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import { expansionTarget } from "./connector_keys.ts";
import { type BoatHosts, runBuiltinBoat, toHostMap } from "./boats/builtin.ts";
import { runSandboxedBoat } from "../sandbox/boat_sandbox.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { inventoryFromNames } from "./inventory.ts";
import type { ProcessRunner } from "../process.ts";
import { applyLimits, type Limits } from "./limits.ts";
import {
  type BoatResult,
  collectFleets,
  type ExpandedName,
  type FleetDocument,
  type MergedInventory,
  mergeFleets,
  mergeTargets,
} from "./merge.ts";
import { type FleetFile, parseFleet } from "./parse.ts";

/** Everything loading needs from the outside. */
export interface LoadOptions {
  registry: ConnectorRegistry;
  cliData?: Readonly<Record<string, unknown>>;
  /** `--limit` patterns. */
  limits?: readonly string[];
  /** The files of `--limit @FILE` values (see `readLimitFiles`). */
  limitFiles?: Readonly<Record<string, readonly string[]>>;
  /** `--exclude` patterns. */
  excludes?: readonly string[];
  /** Extra user connector modules (`--connector`). */
  connectorPaths?: readonly string[];
  cwd: string;
  env: (name: string) => string | undefined;
  runProcess: ProcessRunner;
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/** An inventory from fleet files, with what the runner needs besides hosts. */
export interface LoadedInventory extends MergedInventory {
  /** The registry, with user connectors added. */
  registry: ConnectorRegistry;
}

/**
 * True when TARGETS names fleet files rather than hosts.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { isFleetTarget } from "./load.ts";
 * deepStrictEqual(isFleetTarget("fleets/web.yml"), true);
 * deepStrictEqual(isFleetTarget("@local"), false);
 * ```
 */
export function isFleetTarget(part: string): boolean {
  return /\.(ya?ml|json)$/i.test(part);
}

function absolute(path: string, cwd: string): string {
  return path.startsWith("/") ? path : `${cwd}/${path}`.replace(/\/\.\//g, "/");
}

/**
 * Loads user connector modules (by absolute `file://` URL) and returns a
 * registry with them added. A module exports connector classes, or default-
 * exports a function that receives the connector kit and returns one (see
 * `connectors/kit.ts`); a module importing skiff's files by path works too.
 *
 * @example
 * ```ts
 * import { loadUserConnectors } from "./load.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * const registry = await loadUserConnectors([], builtinRegistry()); // the built-in registry
 * ```
 */
export async function loadUserConnectors(
  paths: readonly string[],
  registry: ConnectorRegistry,
): Promise<ConnectorRegistry> {
  let out = registry;
  for (const path of paths) {
    let module: Record<string, unknown>;
    try {
      module = await import(new URL(`file://${path}`).href);
    } catch (error) {
      throw new InputError(`Connector module ${path} failed to load: ${errorMessage(error)}`);
    }
    let classes: ConnectorClass[];
    try {
      classes = await connectorClassesOf(module);
    } catch (error) {
      throw new InputError(`Connector module ${path} failed to load: ${errorMessage(error)}`);
    }
    if (classes.length === 0) {
      throw new InputError(
        `Connector module ${path} exports no connector class (a class extending BaseConnector, or a default function of the kit returning one)`,
      );
    }
    for (const cls of classes) {
      if (!cls.connectorName) {
        throw new InputError(`Connector module ${path}: a connector class has no connectorName`);
      }
      out = out.with(cls);
    }
  }
  return out;
}

async function runBoat(
  spec: FleetFile["boats"][number],
  options: LoadOptions,
): Promise<BoatHosts> {
  const ctx = { runProcess: options.runProcess, dir: spec.dir, signal: options.signal };
  const readText = (path: string) => Deno.readTextFile(path);
  if (/\.(ts|js|mts|mjs)$/.test(spec.provider)) {
    const path = absolute(spec.provider, spec.dir);
    const timeout = typeof spec.config.timeout === "number" ? spec.config.timeout : 30;
    const found = await runSandboxedBoat(path, spec.config, timeout);
    return { hosts: toHostMap(found.hosts, `boat ${found.name ?? spec.provider}`), groups: {} };
  }
  return await runBuiltinBoat(spec.provider, spec.config, ctx, readText);
}

/**
 * Loads fleet files (read, parsed, user connectors loaded, boats run, names
 * expanded), merges them with `mergeFleets` and applies the limits.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { loadFleets } from "./load.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * import { runProcess } from "../process.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/f.yml`, "fleet:\n  hosts: {'@local': {a: 1}}\n");
 * const options = { registry: builtinRegistry(), cwd: dir, env: () => undefined, runProcess };
 * deepStrictEqual((await loadFleets(["f.yml"], options)).hosts[0].name, "@local");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadFleets(
  paths: readonly string[],
  options: LoadOptions,
): Promise<LoadedInventory> {
  const fleets: FleetFile[] = [];
  for (const given of paths) {
    const path = absolute(given, options.cwd);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new InputError(`Fleet file ${given} does not exist`);
      }
      throw new InputError(`Fleet file ${given} cannot be read: ${errorMessage(error)}`);
    }
    fleets.push(
      parseFleet(text, given, {
        env: options.env,
        readText: (p) => Deno.readTextFileSync(p),
        dir: path.slice(0, path.lastIndexOf("/")) || "/",
      }),
    );
  }
  const registry = await loadUserConnectors(
    [
      ...fleets.flatMap((f) => f.connectors),
      ...(options.connectorPaths ?? []).map((p) => absolute(p, options.cwd)),
    ],
    options.registry,
  );

  const documents: FleetDocument[] = [];
  for (const fleet of fleets) documents.push({ fleet, boats: await runBoats(fleet, options) });
  const collected = collectFleets(documents);
  const expansions = new Map<string, ExpandedName[]>();
  for (const pending of collected.hosts) {
    try {
      expansions.set(pending.name, await registry.expand(expansionTarget(pending)));
    } catch (error) {
      throw new InputError(`${pending.source}: ${errorMessage(error)}`);
    }
  }
  const merged = mergeFleets(collected, {
    expansions,
    cliData: options.cliData,
    connectors: registry.list(),
  });
  return applyLimits({ ...merged, registry }, limitsOf(options));
}

function limitsOf(options: LoadOptions): Limits {
  return {
    limit: options.limits ?? [],
    exclude: options.excludes ?? [],
    files: options.limitFiles ?? {},
  };
}

/** Runs a fleet's boats in order; an optional boat that fails is warned about and skipped. */
async function runBoats(fleet: FleetFile, options: LoadOptions): Promise<BoatResult[]> {
  const results: BoatResult[] = [];
  for (const spec of fleet.boats) {
    try {
      results.push({ spec, found: await runBoat(spec, options) });
    } catch (error) {
      const message = `${spec.source}: boat ${spec.name ?? spec.provider} failed: ${
        errorMessage(error)
      }`;
      if (!spec.optional) throw new InputError(message);
      options.warn?.(`warning: ${message} (optional, skipped)`);
    }
  }
  return results;
}

/**
 * The one entry point for TARGETS: fleet files (comma-separated, or several
 * given) or comma-separated host names, narrowed by `--limit` and `--exclude`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { loadInventory } from "./load.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * import { runProcess } from "../process.ts";
 * const options = { registry: builtinRegistry(), cwd: "/", env: () => undefined, runProcess };
 * deepStrictEqual((await loadInventory(["@local"], options)).sources, { "@local": "command line" });
 * ```
 */
export async function loadInventory(
  targets: readonly string[],
  options: LoadOptions,
): Promise<LoadedInventory> {
  const parts = targets.flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
  if (parts.length === 0) {
    throw new InputError("No targets given: name hosts such as @local, or fleet files");
  }
  const files = parts.filter(isFleetTarget);
  if (files.length > 0 && files.length < parts.length) {
    throw new InputError(
      `Give either fleet files or host names as targets, not both: ${parts.join(",")}`,
    );
  }
  if (files.length > 0) return await loadFleets(files, options);
  const registry = await loadUserConnectors(
    (options.connectorPaths ?? []).map((p) => absolute(p, options.cwd)),
    options.registry,
  );
  const named = await inventoryFromNames(parts.join(","), registry, options.cliData ?? {});
  return applyLimits({ ...mergeTargets(named), registry }, limitsOf(options));
}
