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
import { DEPENDS, type PredictedState } from "./predicted_state.ts";

/** What an operation reports when its outcome depends on a change the dry run cannot predict. */
export function dependsResult(): OperationResult {
  return {
    changed: true,
    success: true,
    description: DEPENDS,
    commands: [],
    stdout: "",
    stderr: "",
    dependsOnEarlierChange: true,
  };
}

/**
 * A dry run's result with its effect settled: after the deploy read an
 * unknown fact the outcome depends on it; an outcome that depends on an
 * earlier change, or a change the operation did not state (nothing was
 * stated since `mark`), leaves what it may change unknown (all of the host
 * when the operation declares nothing).
 */
export function settle(
  result: OperationResult,
  { mayChange, call, prediction, mark }: {
    mayChange?: MayChange;
    call: Call;
    prediction: { state: PredictedState; cause: string };
    mark: number;
  },
): OperationResult {
  const { state, cause } = prediction;
  const settled = state.taint !== undefined && result.success ? dependsResult() : result;
  const stated = state.seq > mark;
  if (settled.dependsOnEarlierChange || (settled.changed && !stated)) {
    (mayChange ?? ANYTHING)(state, call, cause);
  }
  return settled;
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
