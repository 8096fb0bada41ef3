/**
 * `_ignore_errors`: an operation's failure on a host becomes an unsuccessful
 * result instead of stopping the host.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import type { OperationResult } from "../api/mod.ts";
import { errorMessage, OperationError } from "../core/errors.ts";

/** Runs an operation; with `_ignore_errors`, its failure becomes an unsuccessful result. */
export async function ignoringErrors(
  control: ControlArguments,
  run: () => Promise<OperationResult>,
): Promise<OperationResult> {
  try {
    return await run();
  } catch (error) {
    if (control._ignore_errors && error instanceof OperationError) {
      return {
        changed: false,
        success: false,
        description: errorMessage(error),
        commands: [],
        stdout: "",
        stderr: "",
      };
    }
    throw error;
  }
}
