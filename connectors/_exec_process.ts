/**
 * The shared half of connectors that run every command as a local process
 * of their own (`chroot … sh -c`, `docker exec … sh -c`): each builds that
 * process in its own `exec`, and these functions turn it into
 * `runShellCommand` and `getFile`.
 *
 * @module
 */

import type { ControlArguments } from "../lib/core/arguments.ts";
import { type Command, sh, toCommand } from "../lib/core/command.ts";
import { OperationError } from "../lib/core/errors.ts";
import type { ProcessOptions, ProcessResult } from "../lib/process.ts";
import type { CommandResult, FileDestination, RunOptions } from "./base.ts";
import { type ByteStreams, commandResult, downloadTo } from "./_shared.ts";

/** What a connector's `exec` takes: control arguments plus what a local process takes. */
export type ExecOptions =
  & ControlArguments
  & Pick<ProcessOptions, "stdin" | "onOutput" | "signal" | "stdoutBytes" | "outputLimit">;

/** Runs one command, wrapped by `makeUnixCommand`, as a local process. */
export type ExecProcess = (command: Command, options: ExecOptions) => Promise<ProcessResult>;

/**
 * Why a process failed, for an error message: its stderr, else "timed out",
 * else its exit code.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { failureText } from "./_exec_process.ts";
 * import { CommandOutput } from "../lib/core/output.ts";
 * const text = failureText({
 *   exitCode: 2,
 *   signal: null,
 *   timedOut: false,
 *   aborted: false,
 *   output: new CommandOutput([]),
 * });
 * strictEqual(text, "exit code 2");
 * ```
 */
export function failureText(result: ProcessResult): string {
  return result.output.stderr || (result.timedOut ? "timed out" : `exit code ${result.exitCode}`);
}

/**
 * `runShellCommand` through `exec`: success by `_success_exit_codes`, never
 * on timeout or abort. Streamed stdin and raw stdout go to the process.
 */
export async function runThroughExec(
  exec: ExecProcess,
  command: Command | string,
  options: RunOptions & ByteStreams = {},
): Promise<CommandResult> {
  const { openStdin, ...rest } = options;
  const result = await exec(toCommand(command), { ...rest, stdin: openStdin?.() });
  return commandResult(result, options._success_exit_codes);
}

/** Where {@linkcode getFileThroughExec} writes, and how it names the place in errors. */
export interface GetThroughExecOptions {
  /** A local path (written to a temporary name, then renamed) or a stream. */
  destination: FileDestination;
  /** The caller's control arguments: `cat` runs with them (`_sudo` and friends apply). */
  args?: ControlArguments;
  /** Appended to the path in errors, for example ` in chroot "/srv/root"`. */
  where?: string;
}

/**
 * `getFile` through `exec`: `cat` runs as the command user on the target,
 * its stdout streamed into the destination. Throws OperationError naming
 * the path.
 */
export async function getFileThroughExec(
  exec: ExecProcess,
  remotePath: string,
  options: GetThroughExecOptions,
): Promise<boolean> {
  return await downloadTo(options.destination, async (sink) => {
    const result = await exec(sh`cat ${remotePath}`, {
      ...options.args,
      _get_pty: false,
      stdoutBytes: sink,
    });
    if (result.exitCode !== 0) {
      throw new OperationError(
        `Could not read "${remotePath}"${options.where ?? ""}: ${failureText(result)}`,
      );
    }
  });
}
