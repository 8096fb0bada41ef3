/**
 * The inventory: hosts with their connector, data and groups, built from
 * targets given on the command line.
 *
 * @module
 */

import type { ConnectorClass, HostInfo } from "../../connectors/base.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import { InputError } from "../core/errors.ts";

/** A host ready to be connected. */
export interface InventoryHost extends HostInfo {
  /** The connector class that reaches it. */
  readonly connector: ConnectorClass;
}

/** Every host of a run, and the configuration handed to deploys. */
export interface Inventory {
  /** Hosts in declaration order. */
  readonly hosts: readonly InventoryHost[];
  /** Configuration for deploy modules (fleet keys outside `fleet:`). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Fleet `allow_read:` paths (absolute): deploys and their operations may read them. */
  readonly allowRead?: readonly string[];
  /** Fleet `allow_write:` paths (absolute): operations may write them on the controller. */
  readonly allowWrite?: readonly string[];
}

/**
 * Builds an inventory from comma-separated target names such as
 * `@local,@ssh/web1,deploy@10.0.0.5:2222`. `cliData` (from `--data`) wins
 * over what the connector derives from the name.
 */
export async function inventoryFromNames(
  targets: string,
  registry: ConnectorRegistry,
  cliData: Readonly<Record<string, unknown>> = {},
): Promise<Inventory> {
  const names = targets.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new InputError("No targets given: name hosts such as @local or a fleet file");
  }
  const hosts: InventoryHost[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    for (const item of await registry.expand(name)) {
      if (seen.has(item.name)) {
        throw new InputError(`Host "${item.name}" is named twice in the targets`);
      }
      seen.add(item.name);
      hosts.push({
        name: !name.startsWith("@") && item.name === `@${item.connector.connectorName}/${name}`
          ? name
          : item.name,
        data: { ...item.data, ...cliData },
        groups: [...new Set(["all", `@${item.connector.connectorName}`, ...item.groups])],
        connector: item.connector,
      });
    }
  }
  return { hosts, config: {} };
}
