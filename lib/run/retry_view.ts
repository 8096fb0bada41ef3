/**
 * What `_retry_until` sees of an operation's or a command's result.
 *
 * @module
 */

/** What a retry decision looks at: an operation's result, or a command's. */
export interface RetryData {
  success: boolean;
  stdout: string;
  stderr: string;
  commands: readonly string[];
}

/**
 * The data `_retry_until` receives (pyinfra's output data, in camelCase).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { retryView } from "./retry_view.ts";
 * deepStrictEqual(
 *   retryView({ success: true, stdout: "a\nb\n", stderr: "", commands: ["x"] }).stdoutLines,
 *   ["a", "b"],
 * );
 * ```
 */
export function retryView(data: RetryData): {
  success: boolean;
  stdout: string;
  stderr: string;
  stdoutLines: string[];
  stderrLines: string[];
  commands: string[];
} {
  const lines = (text: string) => text === "" ? [] : text.replace(/\n$/, "").split("\n");
  return {
    success: data.success,
    stdout: data.stdout,
    stderr: data.stderr,
    stdoutLines: lines(data.stdout),
    stderrLines: lines(data.stderr),
    commands: [...data.commands],
  };
}
