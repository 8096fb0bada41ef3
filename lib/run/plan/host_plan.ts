/**
 * One host's side of a plan during a run: it numbers the host's operations
 * (the `index` of their events), records each one in a dry run that makes a
 * plan, and in an apply checks each one against the plan before it runs;
 * the first drift stops the host.
 *
 * @module
 */

import { driftOf, missingOf, type OperationNow } from "./drift.ts";
import type { PlannedOperation } from "./plan_document.ts";
import type { PlanRecorder } from "./plan_recorder.ts";

/** Where a host's plan comes from or goes to. */
export interface HostPlanOptions {
  /** A dry run that makes a plan: where its operations go. */
  recorder?: PlanRecorder;
  /** An apply: the host's planned operations, each checked before it runs. */
  planned?: readonly PlannedOperation[];
}

/** One host's operation numbering, plan recording and drift check. */
export class HostPlan {
  readonly #host: string;
  readonly #recorder?: PlanRecorder;
  readonly #planned?: readonly PlannedOperation[];
  #next = 0;
  #drift?: string;

  /** A host's plan; with neither option it only numbers operations. */
  constructor(host: string, options: HostPlanOptions = {}) {
    this.#host = host;
    this.#recorder = options.recorder;
    this.#planned = options.planned;
  }

  /** The next operation's index (0-based, in call order). */
  next(): number {
    return this.#next++;
  }

  /** True in an apply: every operation is checked before it runs. */
  get applying(): boolean {
    return this.#planned !== undefined;
  }

  /** The drift that stopped the host, once there is one. */
  get drift(): string | undefined {
    return this.#drift;
  }

  /**
   * Compares operation `index` as it would run now with the plan; returns
   * (and keeps) the drift message, or undefined when it matches. Nothing to
   * compare when not applying.
   */
  check(index: number, now: OperationNow): string | undefined {
    if (this.#planned === undefined) return undefined;
    const drift = driftOf(this.#planned[index], now, this.#host);
    this.#drift ??= drift;
    return drift;
  }

  /** Records operation `entry` when making a plan. */
  record(entry: PlannedOperation): void {
    this.#recorder?.operation(this.#host, entry);
  }

  /** Remembers a local path an operation read, when making a plan. */
  localRead(path: string): void {
    this.#recorder?.localRead(path);
  }

  /**
   * At the end of the host's deploys: in an apply, the drift of planned
   * operations that were never called (kept), or undefined.
   */
  finish(): string | undefined {
    if (this.#planned === undefined || this.#drift !== undefined) return this.#drift;
    this.#drift = missingOf(this.#planned, this.#next, this.#host);
    return this.#drift;
  }
}
