/**
 * Runs a sequence of operations twice on one target: first as a dry run
 * (one session that keeps the predicted state, as `skiff deploy --dry`
 * does), then for real (a fresh session), and returns both outcome lists,
 * so a test can assert that the dry run predicted what the real run did.
 *
 * @module
 */

import { deepStrictEqual } from "node:assert/strict";
import type { BaseConnector } from "../../connectors/base.ts";
import type { OperationResult } from "../../lib/api/mod.ts";
import { errorMessage } from "../../lib/core/errors.ts";
import { callOperation } from "../../lib/operations/registry.ts";
import { HostSession } from "../../lib/run/session.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { GRANT_ALL } from "./ops.ts";

/** One operation call: its name and the deploy-style arguments. */
export type Step = [name: string, ...args: unknown[]];

/** How a step ended: `changed`, `no change`, `failed`, and the result or error. */
export interface StepOutcome {
  outcome: "changed" | "no change" | "failed";
  /** The description, or the error message of a failure. */
  description: string;
  diff?: string;
  dependsOnEarlierChange?: boolean;
}

/** Where steps run. */
export interface PredictTarget {
  host: { name: string; data: Record<string, unknown>; groups: string[] };
  /** A connected connector (both runs share it). */
  connector: BaseConnector;
  /** Relative local paths resolve here. */
  baseDir?: string;
}

function outcomeOf(result: OperationResult): StepOutcome {
  const out: StepOutcome = {
    outcome: !result.success ? "failed" : result.changed ? "changed" : "no change",
    description: result.description,
  };
  if (result.diff !== undefined) out.diff = result.diff;
  if (result.dependsOnEarlierChange) out.dependsOnEarlierChange = true;
  return out;
}

/** Runs `steps` in one session, dry or real; a failed step is recorded and the next runs. */
export async function runSteps(
  target: PredictTarget,
  steps: readonly Step[],
  dryRun: boolean,
  events: RunEvent[] = [],
): Promise<StepOutcome[]> {
  const session = new HostSession(
    { ...target.host, connector: target.connector.constructor as never },
    target.connector,
    { predict: dryRun, emit: (event) => events.push(event) },
  );
  const out: StepOutcome[] = [];
  for (const [name, ...args] of steps) {
    try {
      out.push(outcomeOf(
        await callOperation(session, name, args, {
          dryRun,
          wantDiff: true,
          deployDefaults: {},
          local: { policy: GRANT_ALL, base: target.baseDir ?? "/" },
        }),
      ));
    } catch (error) {
      out.push({ outcome: "failed", description: errorMessage(error) });
    }
  }
  return out;
}

/** The dry run's and then the real run's outcomes of `steps` on a target. */
export async function dryThenReal(
  target: PredictTarget,
  steps: readonly Step[],
): Promise<{ dry: StepOutcome[]; real: StepOutcome[] }> {
  const dry = await runSteps(target, steps, true);
  const real = await runSteps(target, steps, false);
  return { dry, real };
}

/** Just the outcomes, for comparing lists. */
export function outcomes(list: readonly StepOutcome[]): string[] {
  return list.map((step) => step.outcome);
}

/** Each step as a report shows it: outcome, description and diff ("failed" alone for a failure). */
export function shown(list: readonly StepOutcome[]): string[] {
  return list.map((step) =>
    step.outcome === "failed"
      ? "failed"
      : `${step.outcome}: ${step.description}\n${step.diff ?? ""}`
  );
}

/** Asserts both runs had `expected` outcomes, and the same descriptions and diffs. */
export function assertSameRuns(
  run: { dry: readonly StepOutcome[]; real: readonly StepOutcome[] },
  expected: string[],
): void {
  deepStrictEqual(outcomes(run.real), expected);
  deepStrictEqual(outcomes(run.dry), expected);
  deepStrictEqual(shown(run.dry), shown(run.real));
}

/**
 * Asserts both runs showed `expected` (as {@linkcode shown} gives them) and
 * then failed once, the real run's failure containing `failure`.
 */
export function assertRunsThenFailure(
  run: { dry: readonly StepOutcome[]; real: readonly StepOutcome[] },
  expected: string[],
  failure: string,
): void {
  deepStrictEqual(shown(run.real), [...expected, "failed"]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  const last = run.real.at(-1)!.description;
  deepStrictEqual(last.includes(failure), true, last);
}
