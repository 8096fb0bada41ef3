/**
 * pyinfra's retry meaning (`_retries`, `_retry_delay`, `_retry_until`), and
 * what `_retry_until` sees of an operation's or a command's result.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import { errorMessage, OperationError } from "../core/errors.ts";

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
 * import { retryView } from "./retrying.ts";
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

/** What {@linkcode retrying} needs from the session it runs in. */
export interface RetryOptions {
  /** Names the attempt in the log line before a retry. */
  label: string;
  /** Aborted on Ctrl-C: no retry after it. */
  signal?: AbortSignal;
  /** Waits between retries (seconds). */
  sleep: (seconds: number) => Promise<void>;
  /** Writes a log line for the host. */
  log: (message: string) => void;
  /** Forgets cached facts before a retry. */
  forget: () => void;
}

/**
 * Runs `attempt` (a whole operation, or `exec`'s command) with pyinfra's
 * retry meaning: after a failure, or while `_retry_until(data)` returns
 * true, it runs again after `_retry_delay` seconds, at most `_retries` more
 * times. A failure is a result with `success: false` or a thrown
 * OperationError; the last one is returned or thrown. Cached facts are
 * forgotten before each retry. The one place skiff retries.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { retrying } from "./retrying.ts";
 * let runs = 0;
 * const result = await retrying({ _retries: 2, _retry_delay: 0 }, () => {
 *   runs++;
 *   return Promise.resolve({ success: runs === 2, stdout: "", stderr: "", commands: [] });
 * }, { label: "x", sleep: () => Promise.resolve(), log: () => {}, forget: () => {} });
 * strictEqual([result.success, runs].join(), "true,2");
 * ```
 */
export async function retrying<T extends RetryData>(
  args: ControlArguments,
  attempt: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const retries = args._retries ?? 0;
  for (let tries = 0;; tries++) {
    let result: T | undefined;
    let failure: unknown;
    try {
      result = await attempt();
    } catch (error) {
      if (!(error instanceof OperationError) || options.signal?.aborted) throw error;
      failure = error;
    }
    const data: RetryData = result ??
      { success: false, stdout: "", stderr: errorMessage(failure), commands: [] };
    const again = !data.success || (args._retry_until !== undefined &&
      await args._retry_until(retryView(data)));
    if (!again || tries >= retries) {
      if (result === undefined) throw failure;
      return result;
    }
    const delay = args._retry_delay ?? 5;
    options.log(`retrying ${options.label} (${tries + 1} of ${retries}) in ${delay} s`);
    await options.sleep(delay);
    if (options.signal?.aborted) throw new OperationError("Interrupted");
    options.forget();
  }
}
