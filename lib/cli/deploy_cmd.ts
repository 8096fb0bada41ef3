/**
 * `skiff deploy TARGETS DEPLOY.ts…`: run deploy modules on every host. With
 * `--plan FILE` it makes a dry run and saves it as a plan; `skiff apply`
 * runs it with the plan it read. In a terminal without `-y` it shows a dry
 * run, asks, and applies what it showed: the dry run is a plan in memory,
 * and each operation is checked against it before it runs.
 *
 * @module
 */

import meta from "../../deno.json" with { type: "json" };
import type { ConnectorContext } from "../../connectors/base.ts";
import type { ControlArguments } from "../core/arguments.ts";
import { DeploySandbox } from "../sandbox/deploy_sandbox.ts";
import { InputError } from "../core/errors.ts";
import type { Inventory } from "../inventory/inventory.ts";
import type { RunEvent } from "../run/events.ts";
import type { Restrictions } from "../inventory/restrictions.ts";
import { runDeploys } from "../run/runner.ts";
import type { RunOutcome, RunRequest } from "../run/request.ts";
import type { Serial } from "../run/batches.ts";
import type { Strategy } from "../run/coordinator.ts";
import type { CliIo } from "../report/io.ts";
import { hostPainter } from "../report/paint.ts";
import { PlanRecorder } from "../run/plan/plan_recorder.ts";
import { makePlan, planMismatch } from "../run/plan/make_plan.ts";
import type { PlanDocument } from "../run/plan/plan_document.ts";
import { secretValues, writePlanFile } from "../run/plan/plan_file.ts";
import { deployReporter } from "./deploy_reporter.ts";

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
  /** The command line as typed (after `skiff`), for the re-run command and plans. */
  argv?: readonly string[];
  /** `--plan FILE` (relative to the current directory): make a dry run and save it there as a plan. */
  planFile?: string;
  /** `skiff apply`: the plan to apply, and its file as given (for messages). */
  applying?: { plan: PlanDocument; file: string };
  /** Fleet files among the targets (absolute), for a plan's digests. */
  fleetFiles?: readonly string[];
  /** `--connector` modules (absolute), for a plan's digests. */
  connectorFiles?: readonly string[];
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

function changesIn(events: readonly RunEvent[]): number {
  return events.filter((e) => e.type === "op-result" && e.changed).length;
}

/** Runs the deploy command; returns the exit code. */
export async function runDeployCommand(request: DeployRequest, io: CliIo): Promise<number> {
  const paths = await Promise.all(request.deploys.map((path) => resolveDeployPath(path, io.cwd)));
  const planning = request.planFile !== undefined;
  const confirm = !request.yes && !request.dryRun && !planning;
  if (confirm && (!io.isTerminal || !io.prompt || request.json)) {
    throw new InputError(
      "Nothing was changed: pass -y to apply the deploy, or --dry to see what it would change",
    );
  }
  if (request.applying) {
    const mismatch = await planMismatch(request.applying.plan, request.inventory.hosts);
    if (mismatch !== undefined) {
      throw new InputError(
        `Plan ${request.applying.file} cannot be applied: ${mismatch}: make the plan again`,
      );
    }
  }
  const allowRead = [...request.allowRead, ...(request.inventory.allowRead ?? [])];
  const allowWrite = [...request.allowWrite, ...(request.inventory.allowWrite ?? [])];
  using sandbox = await DeploySandbox.start(paths, { allowRead });
  const paint = hostPainter(io);
  const makeReporter = () =>
    deployReporter({
      json: request.json,
      diff: request.diff,
      verbosity: request.verbosity,
      fullTable: request.fullTable,
      argv: request.applying ? undefined : request.argv,
      paint,
    }, io);
  const run = (dryRun: boolean, emit: (event: RunEvent) => void, plan: Partial<RunRequest>) =>
    runDeploys({
      inventory: request.inventory,
      deployPaths: paths,
      cliArguments: request.cliArguments,
      dryRun,
      wantDiff: request.diff || request.json || confirm || planning,
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
      ...plan,
    });
  /** A dry run that `recorder` follows, shown as it happens. */
  const preview = async (recorder: PlanRecorder) => {
    const report = makeReporter();
    return await run(true, (event) => {
      recorder.event(event);
      report(event);
    }, { recorder });
  };

  if (planning) {
    const recorder = new PlanRecorder();
    const outcome = await preview(recorder);
    if (outcome.interrupted || outcome.failed > 0) {
      io.err(
        `No plan was written: the dry run ${outcome.interrupted ? "was interrupted" : "failed"}\n`,
      );
      return exitCode(outcome, io);
    }
    const plan = await makePlan(recorder, {
      skiff: meta.version,
      cwd: io.cwd,
      argv: request.argv ?? [],
      display: { diff: request.diff, verbosity: request.verbosity },
      deploys: paths,
      fleets: request.fleetFiles ?? [],
      connectors: request.connectorFiles ?? [],
      hosts: request.inventory.hosts,
    });
    const secrets = secretValues([
      request.inventory.hosts.map((h) => h.data),
      request.cliArguments,
    ]);
    const file = request.planFile!;
    await writePlanFile(file.startsWith("/") ? file : `${io.cwd}/${file}`, plan, secrets);
    const written = `Plan written to ${file}: apply it with skiff apply ${file}\n`;
    if (request.json) io.err(written);
    else io.out(written);
    return 0;
  }
  let applying = request.applying &&
    new Map(request.applying.plan.hosts.map((host) => [host.name, host.operations]));
  if (confirm) {
    const recorder = new PlanRecorder();
    const shown = await preview(recorder);
    if (io.signal?.aborted) return 130;
    if (shown.failed > 0) return exitCode(shown, io);
    const changes = changesIn(recorder.events);
    if (changes === 0) {
      io.out("Nothing to change\n");
      return 0;
    }
    const answer = await io.prompt!(`Apply ${changes} change(s)? [y/N]`, { secret: false });
    if (!answer || !/^y(es)?$/i.test(answer.trim())) {
      io.out("Nothing was changed\n");
      return 0;
    }
    applying = recorder.operations(request.inventory.hosts.map((host) => host.name));
  }
  return exitCode(await run(request.dryRun, makeReporter(), { applying }), io);
}

/**
 * The exit code of a finished run: 130 when interrupted, 2 when the deploy's
 * input was wrong (a refused local path, a missing local source: each
 * missing source is said here, once, whatever the number of hosts), 1 when
 * a host failed, else 0.
 */
function exitCode(outcome: RunOutcome, io: CliIo): number {
  if (outcome.interrupted) return 130;
  const paint = hostPainter(io);
  for (const message of outcome.inputErrors) io.err(`${paint.error("error:")} ${message}\n`);
  if (outcome.refused > 0 || outcome.inputErrors.length > 0) return 2;
  return outcome.failed > 0 ? 1 : 0;
}
