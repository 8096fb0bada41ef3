/**
 * `skiff exec TARGETS -- COMMAND…`: run one shell command on every host.
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import {
  type ControlArguments,
  controlArgumentsFromData,
  mergeControlArguments,
} from "../core/arguments.ts";
import { describeExitCode, errorMessage, InputError } from "../core/errors.ts";
import type { Inventory, InventoryHost } from "../inventory/inventory.ts";
import { mapPool } from "../run/pool.ts";
import type { CliIo } from "../report/io.ts";
import { hostPainter } from "../report/paint.ts";

/** Everything `exec` needs. */
export interface ExecRequest {
  /** The hosts. */
  inventory: Inventory;
  /** The shell command text. */
  command: string;
  /** Control arguments from CLI flags. */
  cliArguments: ControlArguments;
  /** How many hosts at once. */
  parallel: number;
  /** Connector context (process runner, prompt). */
  context: ConnectorContext;
  /** Registry, for user connectors. */
  registry?: ConnectorRegistry;
}

/** The outcome on one host. */
interface HostOutcome {
  host: InventoryHost;
  ok: boolean;
  message?: string;
}

/** Runs the command on every host; returns the exit code (0 ok, 1 any host failed). */
export async function runExec(request: ExecRequest, io: CliIo): Promise<number> {
  const paint = hostPainter(io);
  const outcomes = await mapPool(request.inventory.hosts, request.parallel, async (host) => {
    const prefix = paint.prefix(host.name);
    // Validate the host's control arguments before connecting.
    const args = mergeControlArguments({
      host: controlArgumentsFromData(host.data as Record<string, unknown>, `Host "${host.name}"`),
      cli: request.cliArguments,
    });
    const connector = new host.connector(host, request.context);
    try {
      await connector.connect();
    } catch (error) {
      return {
        host,
        ok: false,
        message: `could not connect: ${errorMessage(error)}`,
      } satisfies HostOutcome;
    }
    try {
      const result = await connector.runShellCommand(request.command, {
        ...args,
        signal: io.signal,
        onOutput: ({ stream, line }) =>
          (stream === "stdout" ? io.out : io.err)(`${prefix}${line}\n`),
      });
      if (result.success) return { host, ok: true } satisfies HostOutcome;
      const why = result.timedOut
        ? `timed out after ${args._timeout} s`
        : result.error ?? describeExitCode(result.exitCode);
      return { host, ok: false, message: `command failed: ${why}` } satisfies HostOutcome;
    } catch (error) {
      if (error instanceof InputError) throw error;
      return { host, ok: false, message: errorMessage(error) } satisfies HostOutcome;
    } finally {
      await connector.disconnect().catch((error) =>
        io.err(
          `${paint.prefix(host.name)}${paint.error(`disconnect failed: ${errorMessage(error)}`)}\n`,
        )
      );
    }
  });
  const failed = outcomes.filter((outcome) => !outcome.ok);
  for (const outcome of failed) {
    io.err(`${paint.prefix(outcome.host.name)}${paint.error(outcome.message ?? "failed")}\n`);
  }
  if (request.inventory.hosts.length > 1 || failed.length > 0) {
    io.err(`${outcomes.length - failed.length} of ${outcomes.length} hosts succeeded\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
