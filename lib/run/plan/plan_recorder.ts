/**
 * Collects a plan while a dry run happens: every host's operations in the
 * order it called them, the events (for `plan show`), and the local paths
 * operations read (for their digests).
 *
 * @module
 */

import type { RunEvent } from "../events.ts";
import type { PlannedOperation } from "./plan_document.ts";

/** What a dry run that makes a plan collected. */
export class PlanRecorder {
  readonly #operations = new Map<string, PlannedOperation[]>();
  readonly #events: RunEvent[] = [];
  readonly #reads = new Set<string>();

  /** Records one operation of `host` (in call order; `entry.index` is its place). */
  operation(host: string, entry: PlannedOperation): void {
    const list = this.#operations.get(host) ?? [];
    list[entry.index] = entry;
    this.#operations.set(host, list);
  }

  /** Records an event of the run; command output is left out (it may be long, and is shown only at -vv). */
  event(event: RunEvent): void {
    if (event.type !== "output") this.#events.push(event);
  }

  /** Records a local path an operation read (a real, absolute path). */
  localRead(path: string): void {
    this.#reads.add(path);
  }

  /** Every host's operations, in order (a host that called none has an empty list). */
  operations(hosts: readonly string[]): Map<string, PlannedOperation[]> {
    return new Map(hosts.map((host) => [host, [...(this.#operations.get(host) ?? [])]]));
  }

  /** The events, in the order they came. */
  get events(): readonly RunEvent[] {
    return this.#events;
  }

  /** The local paths read, sorted. */
  get localReads(): string[] {
    return [...this.#reads].sort();
  }
}
