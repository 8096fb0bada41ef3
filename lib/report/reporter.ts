/**
 * Turns run events into what the operator reads: plain prefixed lines (or a
 * live per-host status block in a terminal), failures with their details, and
 * a summary table. `--json` writes the events themselves, one per line.
 *
 * @module
 */

import type { Painter } from "./paint.ts";
import type { HostSummary, RunEvent } from "../run/events.ts";

/** How much to show. */
export interface ReporterOptions {
  /** 0 default, 1 commands, 2 commands and their output. */
  verbosity: number;
  /** Show diffs. */
  showDiff: boolean;
  /** Redraw a live status line per host (terminal only). */
  live: boolean;
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

/**
 * The summary table: one row per host with ok, changed, failed, skipped and
 * seconds, and its batch (counted from 1) when the run had batches.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { summaryTable } from "./reporter.ts";
 * strictEqual(
 *   summaryTable([{ host: "a", ok: true, counts: { ok: 1, changed: 2, failed: 0, skipped: 0 }, seconds: 1.5 }]),
 *   "host  ok  changed  failed  skipped  seconds\na      1        2       0        0     1.50\n",
 * );
 * ```
 */
export function summaryTable(hosts: readonly HostSummary[]): string {
  const batched = hosts.some((h) => h.batch !== undefined);
  const header = [
    "host",
    ...(batched ? ["batch"] : []),
    "ok",
    "changed",
    "failed",
    "skipped",
    "seconds",
  ];
  const rows = hosts.map((h) => [
    h.host,
    ...(batched ? [h.batch === undefined ? "-" : String(h.batch + 1)] : []),
    String(h.counts.ok),
    String(h.counts.changed),
    String(h.counts.failed),
    String(h.counts.skipped),
    formatSeconds(h.seconds),
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => row[column].length))
  );
  const format = (row: string[]) =>
    row.map((cell, column) =>
      column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])
    ).join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)].join("\n") + "\n";
}

/** The text reporter. */
export function textReporter(options: ReporterOptions): Reporter {
  const { paint, write } = options;
  const status = new Map<string, string>();
  const counts = new Map<string, { ok: number; changed: number; failed: number }>();
  const countText = (host: string) => {
    const c = counts.get(host) ?? { ok: 0, changed: 0, failed: 0 };
    return `ok ${c.ok}, changed ${c.changed}, failed ${c.failed}`;
  };
  let drawn = 0;
  let dryRun = false;
  const atBarrier = new Map<string, Set<string>>();
  const clear = () => {
    if (!options.live || drawn === 0) return;
    write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!options.live || status.size === 0) return;
    const lines = [...status.entries()].map(([host, text]) => `${paint.prefix(host)}${text}`);
    write(lines.join("\n") + "\n");
    drawn = lines.length;
  };
  const line = (host: string, text: string) => {
    clear();
    write(`${paint.prefix(host)}${text}\n`);
    draw();
  };
  const setStatus = (host: string, text: string | undefined) => {
    if (!options.live) return;
    clear();
    if (text === undefined) status.delete(host);
    else status.set(host, paint.dim(text));
    draw();
  };
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
        for (const host of event.hosts) setStatus(host, "waiting");
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
        if (options.verbosity > 0) line(event.host, paint.dim(text));
        break;
      }
      case "barrier-pass":
        for (const host of atBarrier.get(event.barrier) ?? []) setStatus(host, countText(host));
        atBarrier.delete(event.barrier);
        if (options.verbosity > 0) {
          line(
            `barrier ${event.barrier}`,
            paint.dim(`passed by ${event.hosts} host(s) after ${formatSeconds(event.seconds)} s`),
          );
        }
        break;
      case "run-once":
        if (options.verbosity > 0) line(event.host, paint.dim(`runs once: ${event.key}`));
        break;
      case "handler-run":
        line(event.host, paint.dim(`handler ${event.handler}`));
        break;
      case "host-connected":
        if (options.verbosity > 0) {
          line(event.host, `connected in ${formatSeconds(event.seconds)} s`);
        }
        setStatus(event.host, "connected");
        break;
      case "host-connect-failed":
        line(event.host, paint.error(`could not connect: ${event.error}`));
        break;
      case "deploy-start":
        if (options.verbosity > 0) line(event.host, `deploy ${event.deploy}`);
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
        if (options.verbosity > 0) line(event.host, paint.dim(`$ ${event.command}`));
        break;
      case "output":
        if (options.verbosity > 1) {
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
        setStatus(event.host, countText(event.host));
        const what = `${event.op}${event.subject ? ` ${event.subject}` : ""}`;
        const text = event.skipped
          ? paint.dim(`${what}: skipped (${event.description.replace(/^skipped: /, "")})`)
          : !event.success
          ? paint.error(`${what}: failed: ${event.error ?? event.description}`)
          : event.changed
          ? paint.changed(`${what}: ${dryRun ? "would change" : "changed"} (${event.description})`)
          : event.ranOn !== undefined
          ? paint.dim(`${what}: ran once on ${event.ranOn}`)
          : paint.ok(`${what}: no change`);
        line(event.host, text);
        if (options.showDiff && event.diff) {
          clear();
          write(event.diff.split("\n").map((l) => `    ${colorDiff(l, paint)}`).join("\n") + "\n");
          draw();
        }
        break;
      }
      case "host-done":
        setStatus(event.host, undefined);
        if (!event.ok && event.error) line(event.host, paint.error(`failed: ${event.error}`));
        break;
      case "summary": {
        clear();
        write("\n" + summaryTable(event.hosts));
        const failed = event.failed;
        const ok = event.hosts.length - failed;
        const tail = event.interrupted ? ", interrupted" : "";
        const verdict = `${event.hosts.length} host(s): ${ok} ok, ${failed} failed${tail}`;
        write((failed > 0 || event.interrupted ? paint.error(verdict) : paint.ok(verdict)) + "\n");
        if (event.dryRun) write("Dry run: nothing was changed\n");
        break;
      }
    }
  };
}

function colorDiff(line: string, paint: Painter): string {
  if (line.startsWith("+") && !line.startsWith("+++")) return paint.ok(line);
  if (line.startsWith("-") && !line.startsWith("---")) return paint.error(line);
  return line;
}
