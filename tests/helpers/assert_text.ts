/**
 * Assertions on printed text whose failure shows what was printed, so an
 * end-to-end test that fails says why. For regular expressions use
 * `match` / `doesNotMatch` from `node:assert/strict`, which show the text too.
 *
 * @module
 */

import { AssertionError } from "node:assert/strict";

/** The text shown when an assertion on `actual` fails. */
function shown(actual: string | readonly string[] | undefined): string {
  if (actual === undefined) return "(undefined)";
  return typeof actual === "string" ? actual : actual.join("\n");
}

function fail(
  actual: string | readonly string[] | undefined,
  expected: string,
  options: { operator: string; what: string; message?: string },
): never {
  const detail = `${options.what}:\n${expected}\n--- actual ---\n${shown(actual)}`;
  throw new AssertionError({
    message: options.message ? `${options.message}\n${detail}` : detail,
    actual,
    expected,
    operator: options.operator,
  });
}

/**
 * Asserts that `actual` contains `part`: a substring of a text, or an item
 * (a whole line) of a list of lines. `undefined` fails.
 *
 * @example
 * ```ts
 * import { assertIncludes } from "./assert_text.ts";
 * assertIncludes("[@local] ok\n", "ok\n");
 * assertIncludes(["a", "b"], "b");
 * ```
 */
export function assertIncludes(
  actual: string | readonly string[] | undefined,
  part: string,
  message?: string,
): void {
  if (actual === undefined || !actual.includes(part)) {
    fail(actual, part, { operator: "includes", what: "Expected to include", message });
  }
}

/**
 * Asserts that `actual` does not contain `part` (substring, or item of a
 * list). `undefined` fails too, as `undefined?.includes(part) === false` did.
 *
 * @example
 * ```ts
 * import { assertExcludes } from "./assert_text.ts";
 * assertExcludes("[@local] ok\n", "failed");
 * ```
 */
export function assertExcludes(
  actual: string | readonly string[] | undefined,
  part: string,
  message?: string,
): void {
  if (actual === undefined || actual.includes(part)) {
    fail(actual, part, { operator: "excludes", what: "Expected not to include", message });
  }
}

/**
 * Asserts that `actual` starts with `prefix`.
 *
 * @example
 * ```ts
 * import { assertStartsWith } from "./assert_text.ts";
 * assertStartsWith("error: bad input\n", "error: ");
 * ```
 */
export function assertStartsWith(
  actual: string | undefined,
  prefix: string,
  message?: string,
): void {
  if (actual === undefined || !actual.startsWith(prefix)) {
    fail(actual, prefix, { operator: "startsWith", what: "Expected to start with", message });
  }
}

/**
 * Asserts that `actual` ends with `suffix`.
 *
 * @example
 * ```ts
 * import { assertEndsWith } from "./assert_text.ts";
 * assertEndsWith("1 of 2 hosts succeeded\n", "succeeded\n");
 * ```
 */
export function assertEndsWith(
  actual: string | undefined,
  suffix: string,
  message?: string,
): void {
  if (actual === undefined || !actual.endsWith(suffix)) {
    fail(actual, suffix, { operator: "endsWith", what: "Expected to end with", message });
  }
}
