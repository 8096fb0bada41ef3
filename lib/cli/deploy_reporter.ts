/**
 * What a deploy run prints: the text reporter (or `--json`), with the summary
 * completed by the report by operation, the failed hosts and the re-run
 * command. `skiff plan show` prints a saved dry run through the same one.
 *
 * @module
 */

import type { RunEvent } from "../run/events.ts";
import { type CliIo, useColor } from "../report/io.ts";
import { hostPainter, type Painter } from "../report/paint.ts";
import { jsonReporter, type Reporter, textReporter } from "../report/reporter.ts";
import { OperationTally } from "../report/tally.ts";
import { rerunCommand } from "./rerun.ts";

/** How a deploy run is shown. */
export interface DeployDisplay {
  json: boolean;
  diff: boolean;
  verbosity: number;
  /** `--table full`. */
  fullTable?: boolean;
  /** The command line as typed (after `skiff`), for the re-run command; absent: none. */
  argv?: readonly string[];
  /** Host colours, shared by the runs of one command (default: new ones). */
  paint?: Painter;
}

/**
 * `report`, with the summary event completed: the report by operation, the
 * failed hosts as `--limit @file` reads them, and the command that re-runs them.
 */
function withOperationReport(report: Reporter, argv?: readonly string[]): Reporter {
  const tally = new OperationTally();
  return (event: RunEvent) => {
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

/** A fresh reporter for one run (each run has its own tally and live view). */
export function deployReporter(display: DeployDisplay, io: CliIo): Reporter {
  return withOperationReport(
    display.json ? jsonReporter(io.out) : textReporter({
      verbosity: display.verbosity,
      showDiff: display.diff,
      live: io.isTerminal && useColor(io),
      height: io.rows,
      fullTable: display.fullTable,
      write: io.out,
      paint: display.paint ?? hostPainter(io),
    }),
    display.argv,
  );
}
