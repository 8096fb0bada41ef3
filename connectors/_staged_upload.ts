/**
 * Uploads that need rights the transfer itself does not have (`_sudo`,
 * `_doas`, `_su_user`, or a container engine that copies as root): the bytes
 * are staged where the target can read them, then one command, run under the
 * caller's control arguments, copies them to a temporary name beside the
 * destination and renames that into place. Used by `@local`, `@ssh` and
 * `@docker`.
 *
 * @module
 */

import { type Command, sh } from "../lib/core/command.ts";
import { OperationError } from "../lib/core/errors.ts";
import type { CommandResult, FileSource, PutOptions } from "./base.ts";
import { sourceStream, tempName } from "./_shared.ts";

/** Where {@linkcode stagedMoveCommand} finds the bytes and what mode it gives them. */
export interface StagedMoveOptions {
  /** The temporary name beside the destination. */
  temp: string;
  /** The staged copy to copy from; absent when the bytes are at `temp` already. */
  staging?: string;
  /** The mode to set on `temp` (octal, as `chmod` takes it). */
  chmod?: string;
  /** Without `chmod`: give `temp` the mode of the file it replaces, if any. */
  keepMode?: boolean;
}

/**
 * The command that moves staged bytes into `remotePath`: copy beside it (a
 * failed copy removes its temporary file), set the mode, rename.
 *
 * @example
 * ```ts
 * import { stagedMoveCommand } from "./_staged_upload.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(
 *   stagedMoveCommand("/etc/motd", { temp: "/etc/.motd.t", staging: "/tmp/s", chmod: "644" })
 *     .render(),
 *   "cp /tmp/s /etc/.motd.t && chmod 644 /etc/.motd.t && mv -f /etc/.motd.t /etc/motd || { rm -f /etc/.motd.t; exit 1; }",
 * );
 * strictEqual(
 *   stagedMoveCommand("/etc/motd", { temp: "/etc/.motd.t" }).render(),
 *   "mv -f /etc/.motd.t /etc/motd",
 * );
 * ```
 */
export function stagedMoveCommand(remotePath: string, options: StagedMoveOptions): Command {
  const { temp, staging } = options;
  const copy = staging !== undefined ? sh`cp ${staging} ${temp} && ` : sh``;
  const mode = options.chmod !== undefined
    ? sh`chmod ${options.chmod} ${temp} && `
    : options.keepMode
    ? sh`{ [ ! -e ${remotePath} ] || chmod "$(stat -c %a ${remotePath} 2>/dev/null)" ${temp} 2>/dev/null || :; } && `
    : sh``;
  const cleanup = staging !== undefined ? sh` || { rm -f ${temp}; exit 1; }` : sh``;
  return sh`${copy}${mode}mv -f ${temp} ${remotePath}${cleanup}`;
}

/** Staged bytes, as a connector's `stage` returns them. */
export interface Staging {
  /** The staged file as the target's commands see it; `temp` itself when staged in place. */
  path: string;
  /** Removes what staging left behind, after the move (`failed` when it did not succeed); never throws. */
  remove(failed: boolean): Promise<void>;
}

/** How one connector stages and moves an upload. */
export interface StagedUploadOptions {
  /** The caller's put options: control arguments for the move, and `mode`. */
  put: PutOptions;
  /**
   * Stages the bytes where the target can read them, at `temp` (then with
   * the final mode already set) or elsewhere. Cleans up after itself when
   * it fails.
   */
  stage(source: FileSource, temp: string): Promise<Staging>;
  /** Runs the move command with the caller's control arguments. */
  run(command: Command, options: PutOptions): Promise<CommandResult>;
  /** Without `mode`, keep the mode of the file being replaced. */
  keepMode?: boolean;
  /** Appended to the place in errors, for example ` on web1`. */
  where?: string;
}

/**
 * Stages `source`, then moves it into `remotePath` under the caller's
 * control arguments. Throws OperationError with the move's stderr when the
 * move fails; what was staged is removed either way.
 */
export async function stagedUpload(
  source: FileSource,
  remotePath: string,
  options: StagedUploadOptions,
): Promise<boolean> {
  const temp = tempName(remotePath);
  const staging = await options.stage(source, temp);
  const inPlace = staging.path === temp;
  let failed = true;
  try {
    const move = stagedMoveCommand(remotePath, {
      temp,
      staging: inPlace ? undefined : staging.path,
      chmod: inPlace ? undefined : options.put.mode,
      keepMode: options.keepMode && options.put.mode === undefined,
    });
    const result = await options.run(move, options.put);
    if (!result.success) {
      throw new OperationError(
        `Could not move the upload into "${remotePath}"${options.where ?? ""}: ${
          result.output.stderr || `exit code ${result.exitCode}`
        }`,
      );
    }
    failed = false;
    return true;
  } finally {
    await staging.remove(failed);
  }
}

/**
 * Writes `source` to a new local temporary file with `mode` (for a target
 * that reads local files: `@local` itself, or `docker cp`). Returns its path;
 * the file is removed when writing fails.
 */
export async function stageLocally(source: FileSource, mode: number): Promise<string> {
  const staging = await Deno.makeTempFile({ prefix: "skiff-put-" });
  try {
    if (typeof source === "string") await Deno.copyFile(source, staging);
    else {
      const file = await Deno.open(staging, { write: true, truncate: true });
      await sourceStream(source).pipeTo(file.writable);
    }
    await Deno.chmod(staging, mode);
    return staging;
  } catch (error) {
    await Deno.remove(staging).catch(() => {});
    throw error;
  }
}
