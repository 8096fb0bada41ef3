/**
 * `skiff connectors test TARGET [--connector MODULE] [--data K=V]`: runs the
 * connector conformance suite (`lib/run/conformance.ts`) against one real
 * host and prints one line per check. Exit 0 only when every check passes,
 * 1 when any fails, 2 for bad input (not exactly one host, say).
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import { InputError } from "../core/errors.ts";
import type { Inventory } from "../inventory/inventory.ts";
import { formatCheck, runConformance } from "../run/conformance.ts";
import type { CliIo } from "../report/io.ts";

/**
 * Runs the suite on the one host of `inventory` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { runConnectorsTest } from "./connectors_test_cmd.ts";
 * const code = await runConnectorsTest(inventory, context, io); // 0 when every check passes
 * ```
 */
export async function runConnectorsTest(
  inventory: Inventory,
  context: ConnectorContext,
  io: CliIo,
): Promise<number> {
  if (inventory.hosts.length !== 1) {
    throw new InputError(
      `skiff connectors test: give exactly one host, got ${inventory.hosts.length}: ${
        inventory.hosts.map((host) => `"${host.name}"`).join(", ")
      }`,
    );
  }
  const host = inventory.hosts[0];
  io.out(`Testing @${host.connector.connectorName} connector on ${host.name}\n`);
  const results = await runConformance(host.connector, host, {
    context,
    onResult: (result) => io.out(`${formatCheck(result)}\n`),
  });
  const failed = results.filter((result) => !result.ok).length;
  io.out(
    failed === 0
      ? `All ${results.length} checks passed\n`
      : `${failed} of ${results.length} checks failed\n`,
  );
  return failed === 0 ? 0 : 1;
}
