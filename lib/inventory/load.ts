/**
 * Builds the inventory from TARGETS: fleet files (merged in order, with
 * their boats and user connectors) or comma-separated host names.
 *
 * Data precedence, highest first: CLI `--data` > host > groups in
 * declaration order (later wins) > fleet `data` > what the connector derives
 * from the name > connector DataMeta defaults (applied when it is built).
 *
 * @module
 */

import type { ConnectorClass } from "../../connectors/base.ts";
import { hostToConnectorData } from "../../connectors/base.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import {
  CONTROL_ARGUMENTS,
  controlArgumentsFromData,
  isControlArgument,
} from "../core/arguments.ts";
import { SecretValue } from "../core/command.ts";
import { type BoatHosts, runBuiltinBoat, toHostMap } from "./boats/builtin.ts";
import { runSandboxedBoat } from "../sandbox/boat_sandbox.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { type Inventory, inventoryFromNames, type InventoryHost } from "./inventory.ts";
import type { ProcessRunner } from "../process.ts";
import type { Restrictions } from "./restrictions.ts";
import { type FleetFile, parseFleet } from "./parse.ts";

/** Everything loading needs from the outside. */
export interface LoadOptions {
  registry: ConnectorRegistry;
  cliData?: Readonly<Record<string, unknown>>;
  limits?: readonly string[];
  /** Extra user connector modules (`--connector`). */
  connectorPaths?: readonly string[];
  cwd: string;
  env: (name: string) => string | undefined;
  runProcess: ProcessRunner;
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/** An inventory from fleet files, with what the runner needs besides hosts. */
export interface LoadedInventory extends Inventory {
  /** Group name → host names. */
  groups: Readonly<Record<string, readonly string[]>>;
  restrictions: Restrictions;
  parallelism?: number;
  /** Where each host came from. */
  sources: Readonly<Record<string, string>>;
  /** The registry, with user connectors added. */
  registry: ConnectorRegistry;
}

/** True when TARGETS names fleet files rather than hosts. */
export function isFleetTarget(part: string): boolean {
  return /\.(ya?ml|json)$/i.test(part);
}

function absolute(path: string, cwd: string): string {
  return path.startsWith("/") ? path : `${cwd}/${path}`.replace(/\/\.\//g, "/");
}

function isConnectorClass(value: unknown): value is ConnectorClass {
  return typeof value === "function" &&
    typeof (value as { connectorName?: unknown }).connectorName === "string" &&
    typeof (value as { makeNamesData?: unknown }).makeNamesData === "function";
}

/** Loads user connector modules and returns a registry with them added. */
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
    const classes = Object.values(module).filter(isConnectorClass);
    if (classes.length === 0) {
      throw new InputError(
        `Connector module ${path} exports no connector class (a class extending BaseConnector)`,
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

interface Pending {
  name: string;
  data: Record<string, unknown>;
  source: string;
  /** Position of one of its data keys, when it came from a fleet file. */
  keySource?: (key: string) => string;
}

/** Wraps values of secret keys (connector DataMeta or control arguments) as SecretValue. */
export function markSecrets(
  data: Record<string, unknown>,
  connector: ConnectorClass,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const meta = connector.dataMeta[key] ??
      (isControlArgument(key) ? CONTROL_ARGUMENTS[key] : undefined);
    out[key] = meta?.secret && typeof value === "string" ? new SecretValue(value) : value;
  }
  return out;
}

/** Validates each data key of a fleet host on its own, so an error points at the key. */
function checkHostKeys(pending: Pending, connector: ConnectorClass): void {
  if (!pending.keySource) return;
  for (const [key, value] of Object.entries(pending.data)) {
    const single = { name: pending.name, data: { [key]: value }, groups: [] };
    try {
      hostToConnectorData(connector, single);
      controlArgumentsFromData({ [key]: value }, "x");
    } catch (error) {
      const detail = errorMessage(error).replace(/^(Host "[^"]*"|x): /, "").replace(
        new RegExp(`^${key}: `),
        "",
      );
      throw new InputError(
        `${pending.keySource(key)}: fleet.hosts.${pending.name}.${key}: ${detail}`,
      );
    }
  }
}

/** Loads fleet files and builds the inventory. */
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

  const hosts = new Map<string, Pending>();
  const groupDecls: {
    name: string;
    hosts: string[];
    data: Record<string, unknown>;
    source: string;
  }[] = [];
  const fleetData: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  const restrictionSources: Record<string, string> = {};
  const restrictions: {
    allow_list: Record<string, Record<string, boolean>>;
    black_list: Record<string, Record<string, boolean>>;
  } = { allow_list: {}, black_list: {} };
  let parallelism: number | undefined;
  for (const fleet of fleets) {
    for (const host of fleet.hosts) {
      const existing = hosts.get(host.name);
      hosts.set(host.name, {
        name: host.name,
        data: { ...existing?.data, ...host.data },
        source: host.source,
        keySource: (key) =>
          fleet.where(host.path ? [...host.path, key] : ["fleet", "hosts", host.name, key]),
      });
    }
    groupDecls.push(...fleet.groups);
    Object.assign(fleetData, fleet.data);
    Object.assign(config, fleet.config);
    for (const list of ["allow_list", "black_list"] as const) {
      Object.assign(restrictions[list], fleet.restrictions[list]);
      for (const name of Object.keys(fleet.restrictions[list] ?? {})) {
        restrictionSources[name] ??= fleet.where(["fleet", "restrictions", list, name]);
      }
    }
    if (fleet.parallelism !== undefined) parallelism = fleet.parallelism;
    for (const boat of fleet.boats) {
      let found: BoatHosts;
      try {
        found = await runBoat(boat, options);
      } catch (error) {
        const message = `${boat.source}: boat ${boat.name ?? boat.provider} failed: ${
          errorMessage(error)
        }`;
        if (boat.optional) {
          options.warn?.(`warning: ${message} (optional, skipped)`);
          continue;
        }
        throw new InputError(message);
      }
      for (const [name, data] of Object.entries(found.hosts)) {
        const existing = hosts.get(name);
        if (existing) {
          throw new InputError(
            `Host "${name}" is defined twice: at ${existing.source} and by boat ${
              boat.name ?? boat.provider
            } (${boat.source})`,
          );
        }
        hosts.set(name, {
          name,
          data,
          source: `boat ${boat.name ?? boat.provider} (${boat.source})`,
        });
      }
      for (const [name, members] of Object.entries(found.groups)) {
        groupDecls.push({
          name,
          hosts: members,
          data: {},
          source: `boat ${boat.name ?? boat.provider}`,
        });
      }
    }
  }
  // Hosts named only in groups join the inventory too.
  for (const group of groupDecls) {
    for (const name of group.hosts) {
      if (!hosts.has(name)) hosts.set(name, { name, data: {}, source: group.source });
    }
  }
  const built: InventoryHost[] = [];
  const groups: Record<string, string[]> = { all: [] };
  const sources: Record<string, string> = {};
  for (const pending of hosts.values()) {
    let expanded;
    try {
      expanded = await registry.expand(pending.name);
    } catch (error) {
      throw new InputError(`${pending.source}: ${errorMessage(error)}`);
    }
    for (const item of expanded) {
      checkHostKeys(pending, item.connector);
      const name = pending.name.startsWith("@")
        ? item.name
        : (expanded.length === 1 ? pending.name : item.name);
      let data: Record<string, unknown> = { ...item.data, ...fleetData };
      const memberOf: string[] = [];
      for (const group of groupDecls) {
        if (group.hosts.includes(pending.name) || group.hosts.includes(name)) {
          data = { ...data, ...group.data };
          memberOf.push(group.name);
        }
      }
      data = markSecrets({ ...data, ...pending.data, ...options.cliData }, item.connector);
      const host: InventoryHost = {
        name,
        data,
        groups: [
          ...new Set(["all", `@${item.connector.connectorName}`, ...item.groups, ...memberOf]),
        ],
        connector: item.connector,
      };
      try {
        hostToConnectorData(item.connector, host);
        controlArgumentsFromData(data, `Host "${name}"`);
      } catch (error) {
        throw new InputError(`${pending.source}: ${errorMessage(error)}`);
      }
      if (sources[name]) {
        throw new InputError(
          `Host "${name}" is defined twice: at ${sources[name]} and ${pending.source}`,
        );
      }
      sources[name] = pending.source;
      built.push(host);
      for (const group of host.groups) (groups[group] ??= []).push(name);
    }
  }
  for (
    const name of Object.keys(restrictions.allow_list).concat(Object.keys(restrictions.black_list))
  ) {
    if (!sources[name]) {
      throw new InputError(
        `${
          restrictionSources[name]
        }: restrictions name host "${name}", which is not in the fleet (hosts: ${
          Object.keys(sources).join(", ")
        })`,
      );
    }
  }
  const inventory: LoadedInventory = {
    hosts: built,
    config,
    groups,
    restrictions,
    parallelism,
    sources,
    registry,
  };
  return applyLimits(inventory, options.limits ?? []);
}

/**
 * A shell glob (as fnmatch: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`) as an
 * anchored regular expression.
 *
 * @example
 * ```ts
 * import { globRegExp } from "./load.ts";
 * globRegExp("web[0-3]*").test("web2.lan"); // true
 * globRegExp("web[!0-3]").test("web2"); // false
 * ```
 */
export function globRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "[" && glob.indexOf("]", i + 2) !== -1) {
      const end = glob.indexOf("]", i + 2);
      let set = glob.slice(i + 1, end);
      const negated = set.startsWith("!");
      if (negated) set = set.slice(1);
      source += `[${negated ? "^" : ""}${set.replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/**
 * Keeps the hosts that match any limit: group names, host names or globs
 * (`*`, `?`, `[…]`), comma-separated. A limit that matches nothing is an InputError listing
 * what exists.
 */
export function applyLimits<
  T extends Inventory & { groups: Readonly<Record<string, readonly string[]>> },
>(
  inventory: T,
  limits: readonly string[],
): T {
  const patterns = limits.flatMap((limit) => limit.split(",")).map((p) => p.trim()).filter(Boolean);
  if (patterns.length === 0) return inventory;
  const keep = new Set<string>();
  for (const pattern of patterns) {
    const before = keep.size;
    const group = inventory.groups[pattern];
    if (group) group.forEach((name) => keep.add(name));
    const glob = /[*?[]/.test(pattern) ? globRegExp(pattern) : undefined;
    for (const host of inventory.hosts) {
      if (host.name === pattern || glob?.test(host.name)) keep.add(host.name);
    }
    for (const [name, members] of Object.entries(inventory.groups)) {
      if (glob?.test(name)) members.forEach((m) => keep.add(m));
    }
    if (
      keep.size === before &&
      !inventory.hosts.some((h) => h.name === pattern || group?.includes(h.name))
    ) {
      throw new InputError(
        `--limit "${pattern}" matches no host or group: groups are ${
          Object.keys(inventory.groups).sort().join(", ")
        }; hosts are ${inventory.hosts.map((h) => h.name).join(", ")}`,
      );
    }
  }
  return { ...inventory, hosts: inventory.hosts.filter((host) => keep.has(host.name)) };
}

/**
 * The one entry point for TARGETS: fleet files (comma-separated, or several
 * given) or comma-separated host names, limited by `--limit`.
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
  const base = {
    ...named,
    hosts: named.hosts.map((host) => ({
      ...host,
      data: markSecrets({ ...host.data }, host.connector),
    })),
  };
  const groups: Record<string, string[]> = {};
  const sources: Record<string, string> = {};
  for (const host of base.hosts) {
    for (const group of host.groups) (groups[group] ??= []).push(host.name);
    sources[host.name] = "command line";
    try {
      hostToConnectorData(host.connector, host);
      controlArgumentsFromData(host.data as Record<string, unknown>, `Host "${host.name}"`);
    } catch (error) {
      throw new InputError(`command line: ${errorMessage(error)}`);
    }
  }
  return applyLimits(
    { ...base, groups, restrictions: {}, sources, registry },
    options.limits ?? [],
  );
}
