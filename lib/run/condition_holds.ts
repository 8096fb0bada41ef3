/**
 * `_if`, decided: whether an operation runs.
 *
 * @module
 */

/**
 * `_if`: absent runs the operation; a function (called back in the deploy's
 * sandbox) or a value runs it when truthy; a list (pyinfra's form) when every
 * item holds. The one place `_if` is decided.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { conditionHolds } from "./condition_holds.ts";
 * strictEqual(await conditionHolds([true, () => Promise.resolve(0)]), false);
 * ```
 */
export async function conditionHolds(condition: unknown): Promise<boolean> {
  if (condition === undefined) return true;
  if (Array.isArray(condition)) {
    for (const item of condition) if (!(await conditionHolds(item))) return false;
    return true;
  }
  return Boolean(typeof condition === "function" ? await condition() : condition);
}
