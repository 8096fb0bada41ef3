/**
 * How a dry run settles an operation's prediction: an outcome that depends
 * on something unknown is reported as a change "depends on an earlier
 * change", and what the operation may change becomes unknown when its
 * effect could not be stated exactly.
 *
 * @module
 */

import type { OperationResult } from "../api/mod.ts";
import { Command } from "../core/command.ts";
import { ANYTHING, type Call, type MayChange } from "./effects.ts";
import { dependsResult, type PredictedState } from "./predicted_state.ts";

export { dependsResult };

/**
 * A dry run's result with its effect settled: after the deploy read an
 * unknown fact the outcome depends on it. What the operation may change
 * (all of the host when it declares nothing) is stated when its effect
 * could not be: it stopped at something unknown (`thrown`), it changed
 * without stating anything since `mark`, or the deploy's unknown fact may
 * have changed its arguments. An operation that returns a depending result
 * itself has stated what it knows of its effect.
 */
export function settle(
  result: OperationResult,
  { mayChange, call, prediction, mark, thrown = false }: {
    mayChange?: MayChange;
    call: Call;
    prediction: { state: PredictedState; cause: string };
    mark: number;
    thrown?: boolean;
  },
): OperationResult {
  const { state, cause } = prediction;
  const tainted = state.taint !== undefined && result.success;
  const stated = state.seq > mark;
  if (thrown || tainted || (result.changed && !stated)) {
    (mayChange ?? ANYTHING)(state, call, cause);
  }
  return tainted ? dependsResult() : result;
}

/**
 * The call as messages name it: the operation and its subject.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { causeOf } from "./dry_run.ts";
 * deepStrictEqual(causeOf("server.shell", undefined, { positional: [["make", "make install"]], options: {} }), "server.shell make make install");
 * deepStrictEqual(causeOf("server.user", "name", { positional: [], options: { name: "app" } }), "server.user app");
 * ```
 */
export function causeOf(
  name: string,
  subject: string | ((positional: readonly unknown[]) => unknown) | undefined,
  call: Call,
): string {
  const value = typeof subject === "string"
    ? call.options[subject]
    : subject
    ? subject(call.positional)
    : call.positional[0];
  const text = (item: unknown): string =>
    item instanceof Command
      ? item.renderMasked()
      : Array.isArray(item)
      ? item.map(text).join(" ")
      : typeof item === "string"
      ? item
      : "";
  const shown = text(value).split("\n")[0];
  return shown ? `${name} ${shown}` : name;
}
