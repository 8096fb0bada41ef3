/**
 * The report by operation: every `op-result` of a run counted by call site
 * (deploy file:line and operation), so that 1000 hosts running one deploy
 * give one row per line of the deploy, not one per host.
 *
 * @module
 */

import type { OperationRow, RunEvent } from "../run/events.ts";

interface Entry {
  row: OperationRow;
  subjects: Set<string>;
}

/**
 * Counts operation results by call site; `rows()` gives them in the order
 * they were first seen.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { OperationTally } from "./tally.ts";
 * const tally = new OperationTally();
 * const result = { type: "op-result", op: "files.put", subject: "/etc/motd", site: "web.ts:4", seconds: 0, description: "" } as const;
 * tally.add({ ...result, host: "a", changed: true, success: true });
 * tally.add({ ...result, host: "b", changed: false, success: false });
 * deepStrictEqual(tally.rows(), [{
 *   site: "web.ts:4", op: "files.put", subject: "/etc/motd",
 *   changed: 1, unchanged: 0, failed: 1, skipped: 0, failedHosts: ["b"],
 * }]);
 * ```
 */
export class OperationTally {
  readonly #entries = new Map<string, Entry>();
  /** Each host's place in the run (from `run-start`), so failed hosts list in inventory order. */
  readonly #order = new Map<string, number>();

  /** Counts `event` when it is an operation result; notes the hosts' order from `run-start`. */
  add(event: RunEvent): void {
    if (event.type === "run-start") event.hosts.forEach((host, i) => this.#order.set(host, i));
    if (event.type !== "op-result") return;
    const site = event.site ?? "-";
    const key = `${site}\0${event.op}`;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        row: {
          site,
          op: event.op,
          subject: event.subject,
          changed: 0,
          unchanged: 0,
          failed: 0,
          skipped: 0,
          failedHosts: [],
        },
        subjects: new Set(),
      };
      this.#entries.set(key, entry);
    }
    entry.subjects.add(event.subject);
    const row = entry.row;
    if (!event.success) {
      row.failed++;
      row.failedHosts.push(event.host);
    } else if (event.skipped) row.skipped++;
    else if (event.changed) row.changed++;
    else row.unchanged++;
  }

  /**
   * The rows so far; a call site whose hosts had different subjects shows
   * their number. Failed hosts are in the run's host order, not finishing order.
   */
  rows(): OperationRow[] {
    return [...this.#entries.values()].map(({ row, subjects }) => ({
      ...row,
      subject: subjects.size > 1 ? `(${subjects.size} subjects)` : row.subject,
      failedHosts: row.failedHosts.toSorted((a, b) =>
        (this.#order.get(a) ?? Infinity) - (this.#order.get(b) ?? Infinity)
      ),
    }));
  }
}
