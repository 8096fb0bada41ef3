/**
 * Drift: what an operation would do now, compared with what the plan said it
 * would do. The one place the comparison is decided.
 *
 * @module
 */

import type { PlannedOperation, PlannedOutcome } from "./plan_document.ts";

/** An operation as it would run now (a dry evaluation against the live host). */
export interface OperationNow {
  op: string;
  subject: string;
  outcome: PlannedOutcome;
  description: string;
  diff?: string;
}

/**
 * The description an operation gives in a dry run when it cannot know its
 * effect before an earlier change is made (predicted state): planned that
 * way, any outcome but a failure matches.
 */
const DEPENDS_ON_EARLIER = /depends on an earlier change/;

/** How an outcome reads in a drift message. */
function outcomeText(outcome: PlannedOutcome): string {
  return outcome === "change" ? "would change" : outcome;
}

/** `would change (created /x)`, or the outcome alone. */
function withDescription(entry: { outcome: PlannedOutcome; description: string }): string {
  return entry.outcome === "change" && entry.description
    ? `would change (${entry.description})`
    : outcomeText(entry.outcome);
}

/** The outcome of an operation's result: failed, changed (or would), or not. */
export function outcomeOf(result: { success: boolean; changed: boolean }): PlannedOutcome {
  return !result.success ? "failed" : result.changed ? "change" : "no change";
}

/**
 * Why `now` differs from `planned` on `host`, as the operator reads it
 * (`drift on web1: files.line /etc/app.conf was planned as no change, now
 * would change`), or undefined when it is what the plan said. An operation
 * the plan does not have (`planned` undefined) is drift too.
 *
 * An operation planned as a change that now has nothing to do is not drift:
 * the host already is as the plan wanted (the plan was applied before, or
 * an apply that stopped half-way is run again), and doing nothing cannot
 * do anything the operator did not review. Every operation that would do
 * something must do what was planned. The commands are not compared: a dry
 * run's commands are its checks, not its changes, and what the changes are
 * is in the outcome, the description and the diff.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { driftOf } from "./drift.ts";
 * const planned = {
 *   index: 0, deploy: "app", op: "files.line", subject: "/etc/app.conf",
 *   outcome: "no change" as const, description: "", commands: [],
 * };
 * const now = { op: "files.line", subject: "/etc/app.conf", outcome: "change" as const, description: "added x" };
 * strictEqual(driftOf(planned, now, "web1"), "drift on web1: files.line /etc/app.conf was planned as no change, now would change");
 * strictEqual(driftOf(planned, { ...now, outcome: "no change" }, "web1"), undefined);
 * strictEqual(driftOf({ ...planned, outcome: "change", description: "added x" }, { ...now, outcome: "no change" }, "web1"), undefined);
 * ```
 */
export function driftOf(
  planned: PlannedOperation | undefined,
  now: OperationNow,
  host: string,
): string | undefined {
  const what = `${now.op}${now.subject ? ` ${now.subject}` : ""}`;
  const drift = (text: string) => `drift on ${host}: ${text}`;
  if (planned === undefined) return drift(`${what} was not in the plan`);
  const was = `${planned.op}${planned.subject ? ` ${planned.subject}` : ""}`;
  if (planned.op !== now.op || planned.subject !== now.subject) {
    return drift(`${was} was planned next, now ${what} is called in its place`);
  }
  if (planned.outcome === "ran once" || now.outcome === "ran once") return undefined;
  if (planned.outcome === "change" && now.outcome === "no change") {
    // Already as the plan wanted (a second apply, or one that resumes): doing nothing is no surprise.
    return undefined;
  }
  if (planned.outcome === "change" && DEPENDS_ON_EARLIER.test(planned.description)) {
    return now.outcome === "failed"
      ? drift(`${what} was planned as would change, now failed`)
      : undefined;
  }
  if (planned.outcome !== now.outcome) {
    return drift(
      `${what} was planned as ${outcomeText(planned.outcome)}, now ${outcomeText(now.outcome)}`,
    );
  }
  // Nothing happens either way; only what a change does is compared.
  if (now.outcome !== "change") return undefined;
  if (planned.description !== now.description) {
    return drift(`${what} was planned as ${withDescription(planned)}, now ${withDescription(now)}`);
  }
  if ((planned.diff ?? "") !== (now.diff ?? "")) {
    return drift(
      `${what} would change as planned (${now.description}), but not with the planned diff`,
    );
  }
  return undefined;
}

/**
 * The drift of a host whose deploys ended before every planned operation was
 * called, or undefined.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { missingOf } from "./drift.ts";
 * const planned = [{ index: 0, deploy: "app", op: "server.shell", subject: "true", outcome: "change" as const, description: "would run: true", commands: [] }];
 * strictEqual(missingOf(planned, 0, "web1"), "drift on web1: server.shell true was planned as would change (would run: true), now not called");
 * strictEqual(missingOf(planned, 1, "web1"), undefined);
 * ```
 */
export function missingOf(
  planned: readonly PlannedOperation[],
  called: number,
  host: string,
): string | undefined {
  const next = planned[called];
  if (next === undefined) return undefined;
  const what = `${next.op}${next.subject ? ` ${next.subject}` : ""}`;
  return `drift on ${host}: ${what} was planned as ${withDescription(next)}, now not called`;
}

/** The error that stops a host at an operation that differs from the plan. */
export class PlanDrift extends Error {
  /** `message` is the drift as the operator reads it. */
  constructor(message: string) {
    super(message);
    this.name = "PlanDrift";
  }
}
