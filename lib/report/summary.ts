/**
 * The end of a run in text: the report by operation, the per-host table
 * (shortened to failed and changed hosts past 20 hosts), the verdict, and the
 * failed hosts with the command that runs them again.
 *
 * @module
 */

import type { HostSummary, OperationRow, RunEvent } from "../run/events.ts";
import type { Painter } from "./paint.ts";

/** Hosts past which the host table lists only failed and changed hosts. */
export const SHORT_TABLE_HOSTS = 20;

/** Failed hosts named in an operation row before the rest are counted. */
const FAILED_HOSTS_SHOWN = 3;

function formatSeconds(seconds: number): string {
  return seconds.toFixed(2);
}

/** Aligns rows under a header: the first `left` columns padded right, the rest left. */
function table(header: string[], rows: string[][], left = 1): string {
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => row[column].length))
  );
  const format = (row: string[]) =>
    row.map((cell, column) =>
      column < left || column === row.length - 1 && header[column] === "failed on"
        ? cell.padEnd(widths[column])
        : cell.padStart(widths[column])
    ).join("  ").trimEnd();
  return [format(header), ...rows.map(format)].join("\n") + "\n";
}

/**
 * The per-host table: result, then operations changed, unchanged, failed and
 * skipped, seconds, and the batch (from 1) when the run had batches.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { hostTable } from "./summary.ts";
 * strictEqual(
 *   hostTable([{ host: "a", ok: true, counts: { ok: 1, changed: 2, failed: 0, skipped: 0 }, seconds: 1.5 }]),
 *   "host  result  changed  unchanged  failed  skipped  seconds\n" +
 *     "a     ok            2          1       0        0     1.50\n",
 * );
 * ```
 */
export function hostTable(hosts: readonly HostSummary[]): string {
  const batched = hosts.some((h) => h.batch !== undefined);
  const header = [
    "host",
    "result",
    ...(batched ? ["batch"] : []),
    "changed",
    "unchanged",
    "failed",
    "skipped",
    "seconds",
  ];
  const rows = hosts.map((h) => [
    h.host,
    h.ok ? "ok" : "failed",
    ...(batched ? [h.batch === undefined ? "-" : String(h.batch + 1)] : []),
    String(h.counts.changed),
    String(h.counts.ok),
    String(h.counts.failed),
    String(h.counts.skipped),
    formatSeconds(h.seconds),
  ]);
  return table(header, rows, 2);
}

/**
 * The report by operation: one row per call site with its hosts counted by
 * outcome and the first failed hosts.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { operationTable } from "./summary.ts";
 * strictEqual(
 *   operationTable([{
 *     site: "web.ts:4", op: "files.put", subject: "/etc/motd",
 *     changed: 1, unchanged: 0, failed: 4, skipped: 0, failedHosts: ["b", "c", "d", "e"],
 *   }]),
 *   "operation            at        changed  unchanged  failed  skipped  failed on\n" +
 *     "files.put /etc/motd  web.ts:4        1          0       4        0  b, c, d +1 more\n",
 * );
 * ```
 */
export function operationTable(rows: readonly OperationRow[]): string {
  const header = ["operation", "at", "changed", "unchanged", "failed", "skipped", "failed on"];
  const cells = rows.map((row) => {
    const shown = row.failedHosts.slice(0, FAILED_HOSTS_SHOWN).join(", ");
    const more = row.failedHosts.length - FAILED_HOSTS_SHOWN;
    return [
      `${row.op} ${row.subject}`.trim(),
      row.site,
      String(row.changed),
      String(row.unchanged),
      String(row.failed),
      String(row.skipped),
      more > 0 ? `${shown} +${more} more` : shown,
    ];
  });
  return table(header, cells, 2);
}

/** What `summaryText` needs besides the event. */
export interface SummaryOptions {
  /** `--table full`: every host, however many. */
  fullTable: boolean;
  paint: Painter;
}

/** Text of the `summary` event: operations, hosts, verdict, failed hosts and the re-run command. */
export function summaryText(
  event: RunEvent & { type: "summary" },
  { fullTable, paint }: SummaryOptions,
): string {
  const parts: string[] = [];
  if (event.operations && event.operations.length > 0) {
    parts.push("\n" + operationTable(event.operations));
  }
  const hosts = event.hosts;
  const short = !fullTable && hosts.length > SHORT_TABLE_HOSTS;
  const listed = short ? hosts.filter((h) => !h.ok || h.counts.changed > 0) : hosts;
  if (listed.length > 0) parts.push("\n" + hostTable(listed));
  else parts.push("\n");
  if (listed.length < hosts.length) {
    const rest = hosts.length - listed.length;
    const more = listed.length > 0 ? " more" : "";
    parts.push(`${rest}${more} host(s) ok without changes (--table full lists them)\n`);
  }
  const failed = hosts.filter((h) => !h.ok).length;
  const tail = event.interrupted ? ", interrupted" : "";
  const verdict = `${hosts.length} host(s): ${
    hosts.length - failed
  } succeeded, ${failed} failed${tail}`;
  parts.push((failed > 0 || event.interrupted ? paint.error(verdict) : paint.ok(verdict)) + "\n");
  if (event.rerun && failed > 0) parts.push(`Re-run the failed hosts: ${event.rerun}\n`);
  if (event.dryRun) parts.push("Dry run: nothing was changed\n");
  return parts.join("");
}
