/**
 * The pure half of building an inventory: parsed fleet documents, the hosts
 * their boats found and CLI targets, merged into hosts with data, groups,
 * sources and restrictions. No files, processes or network: `load.ts` does
 * the IO and hands the results here.
 *
 * Data precedence, highest first: CLI `--data` > host > groups in
 * declaration order (later wins) > fleet `data` > what the connector derives
 * from the name > connector DataMeta defaults (applied when it is built). A
 * layer that sets `_sudo`, `_su_user`, `_doas` or `_privilege_chain` replaces
 * the privilege chosen below it as a whole (see `lib/core/privilege.ts`).
 *
 * @module
 */

import type { ConnectorClass, NameData } from "../../connectors/base.ts";
import { hostToConnectorData } from "../../connectors/base.ts";
import { checkForeignKeys } from "./connector_keys.ts";
import {
  CONTROL_ARGUMENTS,
  controlArgumentsFromData,
  isControlArgument,
} from "../core/arguments.ts";
import { SecretValue } from "../core/command.ts";
import { errorMessage, InputError } from "../core/errors.ts";
import { overlay } from "../core/privilege.ts";
import type { BoatHosts } from "./boats/builtin.ts";
import type { Inventory, InventoryHost } from "./inventory.ts";
import type { BoatSpec, FleetFile } from "./parse.ts";
import type { Restrictions } from "./restrictions.ts";

/** What one boat found (boats that failed and were optional are left out). */
export interface BoatResult {
  spec: BoatSpec;
  found: BoatHosts;
}

/** A parsed fleet file and the results of its boats, in declaration order. */
export interface FleetDocument {
  fleet: FleetFile;
  boats: readonly BoatResult[];
}

/** A host name as the fleets and boats declare it, before its connector expands it. */
export interface PendingHost {
  name: string;
  data: Record<string, unknown>;
  source: string;
  /** Position of one of its data keys, when it came from a fleet file. */
  keySource?: (key: string) => string;
}

/** One group declaration from a fleet or a boat. */
export interface GroupDeclaration {
  name: string;
  hosts: readonly string[];
  data: Record<string, unknown>;
  source: string;
}

/** The fleet documents folded together, before connectors expand the names. */
export interface CollectedFleets {
  /** Host names to expand, in declaration order. */
  hosts: readonly PendingHost[];
  groups: readonly GroupDeclaration[];
  data: Record<string, unknown>;
  config: Record<string, unknown>;
  restrictions: Required<Restrictions>;
  /** Where each restricted host name was written. */
  restrictionSources: Readonly<Record<string, string>>;
  parallelism?: number;
  /** Every fleet's `allow_read:`/`allow_write:` (absolute). */
  allowRead: readonly string[];
  allowWrite: readonly string[];
  /** `fleet: {serial}` of the last document that set it. */
  serial?: number | string;
  /** `fleet: {strategy}` of the last document that set it. */
  strategy?: "free" | "linear";
}

/** A name expanded by its connector. */
export type ExpandedName = NameData & { connector: ConnectorClass };

/** The merged inventory, with what the runner needs besides hosts. */
export interface MergedInventory extends Inventory {
  /** Group name → host names. */
  groups: Readonly<Record<string, readonly string[]>>;
  restrictions: Restrictions;
  parallelism?: number;
  /** Hosts per batch from the fleet (`--serial` wins). */
  serial?: number | string;
  /** Strategy from the fleet (`--strategy` wins). */
  strategy?: "free" | "linear";
  /** Where each host came from. */
  sources: Readonly<Record<string, string>>;
}

/**
 * Folds fleet documents in order: hosts (a later file's data over an
 * earlier's), groups, fleet data, configuration, restrictions, parallelism,
 * then each boat's hosts and groups. A boat host already declared is an
 * InputError; hosts named only in groups join too.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { collectFleets } from "./merge.ts";
 * import { parseFleet } from "./parse.ts";
 * const io = { env: () => undefined, readText: () => "", dir: "/" };
 * const fleet = parseFleet("fleet:\n  hosts: {web1: {a: 1}}\n", "f.yml", io);
 * deepStrictEqual(collectFleets([{ fleet, boats: [] }]).hosts.map((h) => h.name), ["web1"]);
 * ```
 */
export function collectFleets(documents: readonly FleetDocument[]): CollectedFleets {
  const hosts = new Map<string, PendingHost>();
  const groups: GroupDeclaration[] = [];
  let data: Record<string, unknown> = {};
  const config: Record<string, unknown> = {};
  const restrictionSources: Record<string, string> = {};
  const restrictions = {
    allow_list: {} as Record<string, Record<string, boolean>>,
    black_list: {} as Record<string, Record<string, boolean>>,
  };
  let parallelism: number | undefined;
  const allowRead: string[] = [];
  const allowWrite: string[] = [];
  let serial: number | string | undefined;
  let strategy: "free" | "linear" | undefined;
  for (const { fleet, boats } of documents) {
    allowRead.push(...fleet.allowRead);
    allowWrite.push(...fleet.allowWrite);
    for (const host of fleet.hosts) {
      hosts.set(host.name, {
        name: host.name,
        data: overlay(hosts.get(host.name)?.data ?? {}, host.data),
        source: host.source,
        keySource: (key) =>
          fleet.where(host.path ? [...host.path, key] : ["fleet", "hosts", host.name, key]),
      });
    }
    groups.push(...fleet.groups);
    data = overlay(data, fleet.data);
    Object.assign(config, fleet.config);
    for (const list of ["allow_list", "black_list"] as const) {
      Object.assign(restrictions[list], fleet.restrictions[list]);
      for (const name of Object.keys(fleet.restrictions[list] ?? {})) {
        restrictionSources[name] ??= fleet.where(["fleet", "restrictions", list, name]);
      }
    }
    if (fleet.parallelism !== undefined) parallelism = fleet.parallelism;
    if (fleet.serial !== undefined) serial = fleet.serial;
    if (fleet.strategy !== undefined) strategy = fleet.strategy;
    for (const { spec, found } of boats) {
      const boatName = spec.name ?? spec.provider;
      for (const [name, hostData] of Object.entries(found.hosts)) {
        const existing = hosts.get(name);
        if (existing) {
          throw new InputError(
            `Host "${name}" is defined twice: at ${existing.source} and by boat ${boatName} (${spec.source})`,
          );
        }
        hosts.set(name, { name, data: hostData, source: `boat ${boatName} (${spec.source})` });
      }
      for (const [name, members] of Object.entries(found.groups)) {
        groups.push({ name, hosts: members, data: {}, source: `boat ${boatName}` });
      }
    }
  }
  for (const group of groups) {
    for (const name of group.hosts) {
      if (!hosts.has(name)) hosts.set(name, { name, data: {}, source: group.source });
    }
  }
  return {
    hosts: [...hosts.values()],
    groups,
    data,
    config,
    restrictions,
    restrictionSources,
    parallelism,
    allowRead,
    allowWrite,
    serial,
    strategy,
  };
}

/**
 * Wraps values of secret keys (connector DataMeta or control arguments) as SecretValue.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { markSecrets } from "./merge.ts";
 * import { LocalConnector } from "../../connectors/local.ts";
 * deepStrictEqual(String(markSecrets({ _sudo_password: "pw", a: 1 }, LocalConnector)._sudo_password), "***");
 * ```
 */
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
function checkHostKeys(pending: PendingHost, connector: ConnectorClass): void {
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

/** Checks a host's connector data and control arguments, naming where it came from. */
function checkHost(host: InventoryHost, source: string): void {
  try {
    hostToConnectorData(host.connector, host);
    controlArgumentsFromData(host.data as Record<string, unknown>, `Host "${host.name}"`);
  } catch (error) {
    throw new InputError(`${source}: ${errorMessage(error)}`);
  }
}

/** What {@linkcode mergeFleets} needs besides the collected fleets. */
export interface MergeOptions {
  /** Each pending host name → what its connector expanded it to. */
  expansions: ReadonlyMap<string, readonly ExpandedName[]>;
  /** `--data`: the highest data layer. */
  cliData?: Readonly<Record<string, unknown>>;
  /** Every known connector: a host's own key of another's prefix is an error. */
  connectors?: readonly ConnectorClass[];
}

/**
 * Merges collected fleets into hosts with their data (by precedence), groups
 * (`all`, the connector's, the connector's own, declared ones) and sources.
 * A host defined twice, or restrictions naming a host not in the fleet, is an
 * InputError.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { collectFleets, mergeFleets } from "./merge.ts";
 * import { parseFleet } from "./parse.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * const io = { env: () => undefined, readText: () => "", dir: "/" };
 * const fleet = parseFleet("fleet:\n  hosts: {'@local': {a: 1}}\n", "f.yml", io);
 * const collected = collectFleets([{ fleet, boats: [] }]);
 * const expansions = new Map([["@local", await builtinRegistry().expand("@local")]]);
 * deepStrictEqual(mergeFleets(collected, { expansions }).hosts[0].data, { a: 1 });
 * ```
 */
export function mergeFleets(collected: CollectedFleets, options: MergeOptions): MergedInventory {
  const hosts: InventoryHost[] = [];
  const groups: Record<string, string[]> = { all: [] };
  const sources: Record<string, string> = {};
  for (const pending of collected.hosts) {
    const expanded = options.expansions.get(pending.name) ?? [];
    for (const item of expanded) {
      checkHostKeys(pending, item.connector);
      checkForeignKeys(pending, item.connector, {
        connectors: options.connectors ?? [],
        where: (key) => pending.keySource?.(key) ?? pending.source,
      });
      const aliased = pending.data.connector !== undefined && expanded.length === 1;
      const name = aliased || (!pending.name.startsWith("@") && expanded.length === 1)
        ? pending.name
        : item.name;
      const { connector: _chosen, ...pendingData } = pending.data;
      let data = overlay(item.data, collected.data);
      const memberOf: string[] = [];
      for (const group of collected.groups) {
        if (group.hosts.includes(pending.name) || group.hosts.includes(name)) {
          data = overlay(data, group.data);
          memberOf.push(group.name);
        }
      }
      data = overlay(overlay(data, pendingData), options.cliData ?? {});
      const host: InventoryHost = {
        name,
        data: markSecrets(data, item.connector),
        groups: [
          ...new Set(["all", `@${item.connector.connectorName}`, ...item.groups, ...memberOf]),
        ],
        connector: item.connector,
      };
      checkHost(host, pending.source);
      if (sources[name]) {
        throw new InputError(
          `Host "${name}" is defined twice: at ${sources[name]} and ${pending.source}`,
        );
      }
      sources[name] = pending.source;
      hosts.push(host);
      for (const group of host.groups) (groups[group] ??= []).push(name);
    }
  }
  const { allow_list, black_list } = collected.restrictions;
  for (const name of Object.keys(allow_list).concat(Object.keys(black_list))) {
    if (!sources[name]) {
      throw new InputError(
        `${
          collected.restrictionSources[name]
        }: restrictions name host "${name}", which is not in the fleet (hosts: ${
          Object.keys(sources).join(", ")
        })`,
      );
    }
  }
  return {
    hosts,
    config: collected.config,
    groups,
    restrictions: collected.restrictions,
    parallelism: collected.parallelism,
    allowRead: collected.allowRead,
    allowWrite: collected.allowWrite,
    serial: collected.serial,
    strategy: collected.strategy,
    sources,
  };
}

/**
 * The inventory of hosts named on the command line (already expanded by
 * `inventoryFromNames`): secrets marked, groups and sources filled in, data checked.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { mergeTargets } from "./merge.ts";
 * import { inventoryFromNames } from "./inventory.ts";
 * import { builtinRegistry } from "../../connectors/builtin.ts";
 * const named = await inventoryFromNames("@local", builtinRegistry());
 * deepStrictEqual(mergeTargets(named).groups, { all: ["@local"], "@local": ["@local"] });
 * ```
 */
export function mergeTargets(named: Inventory): MergedInventory {
  const hosts = named.hosts.map((host) => ({
    ...host,
    data: markSecrets({ ...host.data }, host.connector),
  }));
  const groups: Record<string, string[]> = {};
  const sources: Record<string, string> = {};
  for (const host of hosts) {
    for (const group of host.groups) (groups[group] ??= []).push(host.name);
    sources[host.name] = "command line";
    checkHost(host, "command line");
  }
  return { ...named, hosts, groups, restrictions: {}, sources };
}
