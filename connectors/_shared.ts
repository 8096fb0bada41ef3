/**
 * Small helpers shared by the connectors.
 *
 * @module
 */

import type { CommandArguments, ControlArguments } from "../lib/core/arguments.ts";
import type { Command, ExecForm } from "../lib/core/command.ts";
import type { ProcessResult, ProcessRunner } from "../lib/process.ts";
import { makeUnixCommand } from "../lib/core/unix_command.ts";
import { privilegeOf } from "../lib/core/privilege.ts";
import type { CommandResult, FileDestination, FileSource } from "./base.ts";

/** True when the arguments ask for another user (`_sudo`, `_doas`, `_su_user`, `_privilege_chain`). */
export function isPrivileged(args: ControlArguments): boolean {
  return privilegeOf(args).kind !== "none";
}

/**
 * Renders a command for a caller that runs the text with `sh -c` itself.
 * Unprivileged commands in sh then need no `sh -c` of their own (one exec
 * less per command); privileged ones and other shells keep the wrapper.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { renderUnderSh } from "./_shared.ts";
 * deepStrictEqual(renderUnderSh("id", { _chdir: "/srv" }).text, "cd /srv && id");
 * deepStrictEqual(renderUnderSh("id", { _sudo: true }).text, "sudo -H -n sh -c id");
 * ```
 */
export function renderUnderSh(command: Command | string, args: CommandArguments): ExecForm {
  const direct = (args._shell_executable ?? "sh") === "sh" && !isPrivileged(args);
  return makeUnixCommand(command, direct ? { ...args, _shell_executable: null } : args)
    .renderForExec();
}

/**
 * What skiff's own connectors take besides `RunOptions` to move a file's
 * bytes through a command: stdin streamed as the command reads it, and
 * stdout as raw bytes. Not part of the connector contract (`lib/api`):
 * skiff passes them only to the connectors it ships.
 */
export interface ByteStreams {
  /**
   * Opens the bytes for the command's standard input, read as it asks for
   * them (in place of `_stdin`); called again when the command is run again
   * (after asking for a sudo password).
   */
  openStdin?: () => ReadableStream<Uint8Array>;
  /** Receives the command's standard output as raw bytes instead of lines. */
  stdoutBytes?: WritableStream<Uint8Array>;
}

/** A temporary name beside `path`, in the same directory, so a rename is atomic. */
export function tempName(path: string): string {
  const slash = path.lastIndexOf("/");
  const dir = slash === -1 ? "" : path.slice(0, slash + 1);
  const base = slash === -1 ? path : path.slice(slash + 1);
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  return `${dir}.${base}.skiff-${random}`;
}

const SOURCE_CHUNK = 64 * 1024;

/** Bytes or a stream as a stream; paths are opened by the caller. */
export function sourceStream(source: Exclude<FileSource, string>): ReadableStream<Uint8Array> {
  if (source instanceof Uint8Array) {
    // Views of at most 64 KiB, handed out as the writer asks for them: a
    // connector never queues (and copies) a whole file at once.
    let offset = 0;
    return new ReadableStream({
      pull(controller) {
        if (offset >= source.length) {
          controller.close();
          return;
        }
        controller.enqueue(source.subarray(offset, offset + SOURCE_CHUNK));
        offset += SOURCE_CHUNK;
      },
    }, { highWaterMark: 0 });
  }
  return source;
}

/** Turns a local process result into a connector CommandResult. */
export function commandResult(
  result: ProcessResult,
  successCodes: readonly number[] = [0],
): CommandResult {
  const error = result.timedOut ? "timed out" : result.aborted ? "interrupted" : undefined;
  return {
    success: !result.timedOut && !result.aborted && result.exitCode !== null &&
      successCodes.includes(result.exitCode),
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    error,
    output: result.output,
  };
}

/**
 * Writes downloaded bytes to `destination`: a stream directly, or a local
 * path through a temporary file beside it that is renamed into place (and
 * removed when the download fails).
 */
export async function downloadTo(
  destination: FileDestination,
  download: (sink: WritableStream<Uint8Array>) => Promise<unknown>,
): Promise<boolean> {
  if (typeof destination !== "string") {
    await download(destination);
    return true;
  }
  const temp = tempName(destination);
  try {
    const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
    await download(file.writable);
    await Deno.rename(temp, destination);
    return true;
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** Throws when this machine has no `rsync` (the `@local` and `@ssh` rsync run it here). */
export async function requireLocalRsync(runProcess: ProcessRunner): Promise<void> {
  const result = await runProcess(["sh", "-c", "command -v rsync"]);
  if (result.exitCode !== 0) throw new Error("rsync is not installed on this machine");
}
