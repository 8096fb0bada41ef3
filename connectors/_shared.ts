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

/** A source stream that remembers its failure, from {@linkcode watchedSource}. */
export interface WatchedSource {
  /** The same bytes; reading it is reading the source. */
  readonly stream: ReadableStream<Uint8Array>;
  /** What the source threw while being read, if it did. */
  readonly error: () => unknown;
}

/**
 * Wraps a source so its failure is known afterwards: a writer that pipes a
 * failing source into a process closes its stdin, which looks like a complete
 * file to `cat`, so the caller must not rename the upload into place then.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { watchedSource } from "./_shared.ts";
 * const broken = new ReadableStream({ pull: (c) => c.error(new Error("dropped")) });
 * const watched = watchedSource(broken);
 * await new Response(watched.stream).arrayBuffer().catch(() => {});
 * deepStrictEqual((watched.error() as Error).message, "dropped");
 * ```
 */
export function watchedSource(
  source: ReadableStream<Uint8Array>,
  onError?: (error: unknown) => void,
): WatchedSource {
  const reader = source.getReader();
  let failure: unknown;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        failure = error ?? new Error("The source stream failed");
        // Before the reader sees the end: a consumer told here can stop first.
        onError?.(failure);
        controller.error(failure);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  return { stream, error: () => failure };
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
