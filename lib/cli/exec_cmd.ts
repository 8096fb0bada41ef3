/**
 * `skiff exec TARGETS -- COMMAND…`: run one shell command on every host.
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import type { ControlArguments } from "../core/arguments.ts";
import { describeExitCode } from "../core/errors.ts";
import type { Inventory } from "../inventory/inventory.ts";
import type { EventSink } from "../run/events.ts";
import { mapPool } from "../run/pool.ts";
import { withHost } from "../run/with_host.ts";
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

/** Runs the command on every host; returns the exit code (0 ok, 1 any host failed). */
export async function runExec(request: ExecRequest, io: CliIo): Promise<number> {
  const paint = hostPainter(io);
  const outcomes = await mapPool(request.inventory.hosts, request.parallel, async (host) => {
    const prefix = paint.prefix(host.name);
    const emit: EventSink = (event) => {
      if (event.type === "output") {
        (event.stream === "stdout" ? io.out : io.err)(`${prefix}${event.line}\n`);
      } else if (event.type === "log") io.err(`${prefix}${event.message}\n`);
    };
    const outcome = await withHost(host, {
      context: request.context,
      cliArguments: request.cliArguments,
      emit,
      signal: io.signal,
    }, async (session) => {
      const args = session.arguments();
      const result = await session.retrying(args, "the command", async () => {
        const run = await session.run(request.command, args, { ownShell: true });
        return { ...run, stdout: run.output.stdout, stderr: run.output.stderr, commands: [] };
      });
      if (result.success) return undefined;
      const why = result.timedOut
        ? `timed out after ${args._timeout} s`
        : result.error ?? describeExitCode(result.exitCode);
      return `command failed: ${why}`;
    });
    const message = outcome.ok ? outcome.value : outcome.value ?? outcome.error;
    return { host, message };
  });
  const failed = outcomes.filter((outcome) => outcome.message !== undefined);
  for (const outcome of failed) {
    io.err(`${paint.prefix(outcome.host.name)}${paint.error(outcome.message!)}\n`);
  }
  if (request.inventory.hosts.length > 1 || failed.length > 0) {
    io.err(`${outcomes.length - failed.length} of ${outcomes.length} hosts succeeded\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
