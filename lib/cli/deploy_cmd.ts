/**
 * `skiff deploy TARGETS DEPLOY.ts…`: run deploy modules on every host.
 *
 * @module
 */

import type { ConnectorContext } from "../../connectors/base.ts";
import type { ControlArguments } from "../core/arguments.ts";
import { DeploySandbox } from "../sandbox/deploy_sandbox.ts";
import { InputError } from "../core/errors.ts";
import type { Inventory } from "../inventory/inventory.ts";
import type { RunEvent } from "../run/events.ts";
import { jsonReporter, type Reporter, textReporter } from "../report/reporter.ts";
import { OperationTally } from "../report/tally.ts";
import { rerunCommand } from "./rerun.ts";
import type { Restrictions } from "../inventory/restrictions.ts";
import { runDeploys, type RunOutcome } from "../run/runner.ts";
import type { Serial } from "../run/batches.ts";
import type { Strategy } from "../run/coordinator.ts";
import { type CliIo, useColor } from "../report/io.ts";
import { hostPainter } from "../report/paint.ts";

/** The parsed `deploy` command. */
export interface DeployRequest {
  inventory: Inventory & { restrictions?: Restrictions };
  deploys: readonly string[];
  cliArguments: ControlArguments;
  dryRun: boolean;
  diff: boolean;
  yes: boolean;
  json: boolean;
  verbosity: number;
  parallel: number;
  failPercent?: number;
  /** Hosts per batch (`--serial`, or the fleet's). */
  serial?: Serial;
  /** `--strategy` (or the fleet's). */
  strategy?: Strategy;
  /** `--force-handlers`. */
  forceHandlers?: boolean;
  /** `--host-timeout`: seconds a host's deploys may take. */
  hostTimeout?: number;
  /** `--allow-read` paths (absolute): deploy code and operations may read them. */
  allowRead: readonly string[];
  /** `--allow-write` paths (absolute): operations may write them on the controller. */
  allowWrite: readonly string[];
  context: ConnectorContext;
  /** `--table full`: every host in the summary table, however many. */
  fullTable?: boolean;
  /** The command line as typed (after `skiff`), for the re-run command. */
  argv?: readonly string[];
}

/** Absolute path of a deploy file, checked to exist. */
export async function resolveDeployPath(path: string, cwd: string): Promise<string> {
  const absolute = path.startsWith("/") ? path : `${cwd}/${path}`.replace(/\/\.\//g, "/");
  try {
    const info = await Deno.stat(absolute);
    if (!info.isFile) throw new InputError(`Deploy ${path} is not a file`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new InputError(`Deploy ${path} does not exist`);
    }
    throw error;
  }
  return await Deno.realPath(absolute);
}

/**
 * `report`, with the summary event completed: the report by operation, the
 * failed hosts as `--limit @file` reads them, and the command that re-runs them.
 */
function withOperationReport(report: Reporter, argv?: readonly string[]): Reporter {
  const tally = new OperationTally();
  return (event) => {
    tally.add(event);
    if (event.type !== "summary") return report(event);
    const failed = event.hosts.filter((host) => !host.ok).map((host) => host.host);
    report({
      ...event,
      operations: tally.rows(),
      failedHosts: failed.map((name) => `${name}\n`).join(""),
      ...(argv && failed.length > 0 ? { rerun: rerunCommand(argv, failed) } : {}),
    });
  };
}

function changesIn(events: RunEvent[]): number {
  return events.filter((e) => e.type === "op-result" && e.changed).length;
}

/** Runs the deploy command; returns the exit code. */
export async function runDeployCommand(request: DeployRequest, io: CliIo): Promise<number> {
  const paths = await Promise.all(request.deploys.map((path) => resolveDeployPath(path, io.cwd)));
  const confirm = !request.yes && !request.dryRun;
  if (confirm && (!io.isTerminal || !io.prompt || request.json)) {
    throw new InputError(
      "Nothing was changed: pass -y to apply the deploy, or --dry to see what it would change",
    );
  }
  const allowRead = [...request.allowRead, ...(request.inventory.allowRead ?? [])];
  const allowWrite = [...request.allowWrite, ...(request.inventory.allowWrite ?? [])];
  using sandbox = await DeploySandbox.start(paths, { allowRead });
  const paint = hostPainter(io);
  const makeReporter = () =>
    withOperationReport(
      request.json ? jsonReporter(io.out) : textReporter({
        verbosity: request.verbosity,
        showDiff: request.diff,
        live: io.isTerminal && useColor(io),
        height: io.rows,
        fullTable: request.fullTable,
        write: io.out,
        paint,
      }),
      request.argv,
    );
  const run = (dryRun: boolean, emit: (event: RunEvent) => void) =>
    runDeploys({
      inventory: request.inventory,
      deployPaths: paths,
      cliArguments: request.cliArguments,
      dryRun,
      wantDiff: request.diff || request.json || confirm,
      parallel: request.parallel,
      failPercent: request.failPercent,
      serial: request.serial,
      strategy: request.strategy,
      forceHandlers: request.forceHandlers,
      hostTimeout: request.hostTimeout,
      context: request.context,
      emit,
      signal: io.signal,
      allowRead,
      allowWrite,
      sandbox,
    });

  if (confirm) {
    const seen: RunEvent[] = [];
    const report = makeReporter();
    const preview = await run(true, (event) => {
      seen.push(event);
      report(event);
    });
    if (io.signal?.aborted) return 130;
    if (preview.failed > 0) return exitCode(preview, io);
    if (changesIn(seen) === 0) {
      io.out("Nothing to change\n");
      return 0;
    }
    const answer = await io.prompt!(`Apply ${changesIn(seen)} change(s)? [y/N]`, { secret: false });
    if (!answer || !/^y(es)?$/i.test(answer.trim())) {
      io.out("Nothing was changed\n");
      return 0;
    }
  }
  const outcome = await run(request.dryRun, makeReporter());
  if (outcome.interrupted) return 130;
  return exitCode(outcome, io);
}

/**
 * The exit code of a finished run: 2 when the deploy's input was wrong (a
 * refused local path, a missing local source: each missing source is said
 * here, once, whatever the number of hosts), 1 when a host failed, else 0.
 */
function exitCode(outcome: RunOutcome, io: CliIo): number {
  const paint = hostPainter(io);
  for (const message of outcome.inputErrors) io.err(`${paint.error("error:")} ${message}\n`);
  if (outcome.refused > 0 || outcome.inputErrors.length > 0) return 2;
  return outcome.failed > 0 ? 1 : 0;
}
