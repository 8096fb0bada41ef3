/**
 * `skiff fleet show`, `skiff fleet check` and `skiff schema`.
 *
 * @module
 */

import { fleetJsonSchema } from "../inventory/parse.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import type { LoadedInventory } from "../inventory/load.ts";
import type { CliIo } from "../report/io.ts";

function maskedData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  // SecretValue serialises itself as "***"; a round trip through JSON applies it.
  return JSON.parse(JSON.stringify(data));
}

/** The structure `fleet show --json` prints. */
export function fleetDescription(inventory: LoadedInventory): Record<string, unknown> {
  return {
    hosts: inventory.hosts.map((host) => ({
      name: host.name,
      connector: host.connector.connectorName,
      groups: host.groups,
      source: inventory.sources[host.name],
      data: maskedData(host.data),
    })),
    groups: inventory.groups,
    restrictions: inventory.restrictions,
    parallelism: inventory.parallelism ?? null,
    serial: inventory.serial ?? null,
    strategy: inventory.strategy ?? null,
    config: maskedData(inventory.config),
  };
}

/** Prints hosts, their connector, groups and data. */
export function runFleetShow(inventory: LoadedInventory, json: boolean, io: CliIo): void {
  if (json) {
    io.out(JSON.stringify(fleetDescription(inventory), null, 2) + "\n");
    return;
  }
  for (const host of inventory.hosts) {
    io.out(`${host.name} (@${host.connector.connectorName}) groups: ${host.groups.join(", ")}\n`);
    for (
      const [key, value] of Object.entries(maskedData(host.data)).sort(([a], [b]) =>
        a.localeCompare(b)
      )
    ) {
      io.out(`  ${key}: ${JSON.stringify(value)}\n`);
    }
  }
  io.out(`groups:\n`);
  for (
    const [group, members] of Object.entries(inventory.groups).sort(([a], [b]) =>
      a.localeCompare(b)
    )
  ) {
    io.out(`  ${group}: ${members.join(", ")}\n`);
  }
}

/** Prints a one-line verdict; loading already threw on errors. */
export function runFleetCheck(inventory: LoadedInventory, io: CliIo): void {
  io.out(`ok: ${inventory.hosts.length} hosts, ${Object.keys(inventory.groups).length} groups\n`);
}

/** Prints the JSON Schema of the fleet format, with the data keys of `registry`'s connectors. */
export function runSchema(io: CliIo, registry: ConnectorRegistry): void {
  io.out(JSON.stringify(fleetJsonSchema(registry.list()), null, 2) + "\n");
}
