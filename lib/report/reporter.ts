/**
 * Turns run events into what the operator reads: changes and failures as
 * they happen (`-v` adds unchanged operations and commands, `-vv` their
 * output), a live progress block in a terminal, and the summary. `--json`
 * writes the events themselves, one per line.
 *
 * @module
 */

import type { Painter } from "./paint.ts";
import { LiveView } from "./live.ts";
import { summaryText } from "./summary.ts";
import type { RunEvent } from "../run/events.ts";

/** How much to show. */
export interface ReporterOptions {
  /** 0 default, 1 commands, 2 commands and their output. */
  verbosity: number;
  /** Show diffs. */
  showDiff: boolean;
  /** Redraw a live progress block (terminal only). */
  live: boolean;
  /** Terminal rows, for the live block (default 24). */
  height?: () => number;
  /** `--table full`: list every host in the summary, however many. */
  fullTable?: boolean;
  /** The clock of the live block, in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Writes to the terminal or stdout. */
  write: (text: string) => void;
  /** Colours. */
  paint: Painter;
}

/** A reporter: feed it events, then read nothing back. */
export type Reporter = (event: RunEvent) => void;

/** One JSON object per line, nothing else. */
export function jsonReporter(write: (text: string) => void): Reporter {
  return (event) => write(JSON.stringify(event) + "\n");
}

function formatSeconds(seconds: number): string {
  return seconds.toFixed(2);
}

/** The text reporter. */
export function textReporter(options: ReporterOptions): Reporter {
  const { paint, verbosity } = options;
  const counts = new Map<string, { ok: number; changed: number; failed: number }>();
  const countText = (host: string) => {
    const c = counts.get(host) ?? { ok: 0, changed: 0, failed: 0 };
    return `changed ${c.changed}, unchanged ${c.ok}, failed ${c.failed}`;
  };
  const live = options.live
    ? new LiveView({
      write: options.write,
      paint,
      height: options.height ?? (() => 24),
      now: options.now ?? (() => performance.now()),
    })
    : undefined;
  const write = (text: string) => live ? live.print(text) : options.write(text);
  const line = (host: string, text: string) => write(`${paint.prefix(host)}${text}\n`);
  const setStatus = (host: string, text: string) => live?.status(host, text);
  /** Failures already printed per host, so that the host's end does not repeat them. */
  const printed = new Map<string, Set<string>>();
  const failure = (host: string, text: string) => {
    const seen = printed.get(host) ?? new Set();
    seen.add(text);
    printed.set(host, seen);
    line(host, paint.error(text));
  };
  let dryRun = false;
  const atBarrier = new Map<string, Set<string>>();
  return (event) => {
    switch (event.type) {
      case "run-start":
        dryRun = event.dryRun;
        if (dryRun) {
          write(
            paint.bold(
              `Dry run of ${
                event.deploys.join(", ")
              } on ${event.hosts.length} host(s): nothing will change\n`,
            ),
          );
        }
        live?.start(event.hosts);
        break;
      case "batch-start":
        line(
          `batch ${event.batch + 1}/${event.batches}`,
          paint.bold(`${event.hosts.length} host(s): ${event.hosts.join(", ")}`),
        );
        break;
      case "barrier-wait": {
        const waiting = atBarrier.get(event.barrier) ?? new Set();
        waiting.add(event.host);
        atBarrier.set(event.barrier, waiting);
        const text = `waiting at barrier ${event.barrier}: ${event.arrived}/${event.total}`;
        for (const host of waiting) setStatus(host, text);
        if (verbosity > 0) line(event.host, paint.dim(text));
        break;
      }
      case "barrier-pass":
        for (const host of atBarrier.get(event.barrier) ?? []) setStatus(host, countText(host));
        atBarrier.delete(event.barrier);
        if (verbosity > 0) {
          line(
            `barrier ${event.barrier}`,
            paint.dim(`passed by ${event.hosts} host(s) after ${formatSeconds(event.seconds)} s`),
          );
        }
        break;
      case "run-once":
        if (verbosity > 0) line(event.host, paint.dim(`runs once: ${event.key}`));
        break;
      case "handler-run":
        if (verbosity > 0) line(event.host, paint.dim(`handler ${event.handler}`));
        break;
      case "host-connected":
        if (verbosity > 0) line(event.host, `connected in ${formatSeconds(event.seconds)} s`);
        setStatus(event.host, "connected");
        break;
      case "host-connect-failed":
        failure(event.host, `could not connect: ${event.error}`);
        break;
      case "deploy-start":
        if (verbosity > 0) line(event.host, `deploy ${event.deploy}`);
        break;
      case "deploy-skipped":
        line(event.host, paint.dim(`skipped deploy ${event.deploy}: ${event.reason}`));
        break;
      case "op-start":
        setStatus(
          event.host,
          `${event.op} ${event.subject}`.trim() + ` (${countText(event.host)})`,
        );
        break;
      case "command":
        if (verbosity > 0) line(event.host, paint.dim(`$ ${event.command}`));
        break;
      case "output":
        if (verbosity > 1) {
          line(event.host, paint.dim(`  ${event.stream === "stderr" ? "!" : "|"} ${event.line}`));
        }
        break;
      case "log":
        line(event.host, event.message);
        break;
      case "op-result": {
        const c = counts.get(event.host) ?? { ok: 0, changed: 0, failed: 0 };
        if (!event.success) c.failed++;
        else if (event.changed) c.changed++;
        else if (!event.skipped) c.ok++;
        counts.set(event.host, c);
        live?.opDone();
        setStatus(event.host, countText(event.host));
        const what = `${event.op}${event.subject ? ` ${event.subject}` : ""}`;
        if (event.drift && event.error) {
          // "drift on web1: … was planned as no change, now would change": the host stops here.
          failure(event.host, event.error);
        } else if (!event.success) {
          // The host's end repeats the first failure as "what: error"; printed once.
          const seen = printed.get(event.host) ?? new Set();
          seen.add(`${what}: ${event.error ?? event.description}`);
          printed.set(event.host, seen);
          line(event.host, paint.error(`${what}: failed: ${event.error ?? event.description}`));
        } else if (event.changed) {
          line(
            event.host,
            paint.changed(`${what}: ${dryRun ? "would change" : "changed"} (${event.description})`),
          );
        } else if (verbosity > 0) {
          line(
            event.host,
            event.skipped
              ? paint.dim(`${what}: skipped (${event.description.replace(/^skipped: /, "")})`)
              : event.ranOn !== undefined
              ? paint.dim(`${what}: ran once on ${event.ranOn}`)
              : paint.ok(`${what}: no change`),
          );
        }
        if (options.showDiff && event.diff) {
          write(event.diff.split("\n").map((l) => `    ${colorDiff(l, paint)}`).join("\n") + "\n");
        }
        break;
      }
      case "host-done":
        live?.hostDone(event.host, event.ok);
        if (!event.ok && event.error && !printed.get(event.host)?.has(event.error)) {
          failure(event.host, `failed: ${event.error}`);
        }
        break;
      case "summary":
        live?.end();
        options.write(summaryText(event, { fullTable: options.fullTable ?? false, paint }));
        break;
    }
  };
}

function colorDiff(line: string, paint: Painter): string {
  if (line.startsWith("+") && !line.startsWith("+++")) return paint.ok(line);
  if (line.startsWith("-") && !line.startsWith("---")) return paint.error(line);
  return line;
}
