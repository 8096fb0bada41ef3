/**
 * Uploads that need rights the transfer itself does not have (`_sudo`,
 * `_doas`, `_su_user`, an owner to set, or a container engine that copies as
 * root): one command, run under the caller's control arguments, reads the
 * bytes on stdin into a new private file beside the destination, sets its
 * mode and owner and renames it into place. Used by `@local`, `@ssh`,
 * `@dockerssh` and (staging with `docker cp`) `@docker`.
 *
 * @module
 */

import { type Command, sh } from "../lib/core/command.ts";
import { errorMessage, OperationError } from "../lib/core/errors.ts";
import type { CommandResult, FileSource, PutOptions } from "./base.ts";
import { type ByteStreams, sourceStream, tempName } from "./_shared.ts";
import { sizedUpload, uploadSource } from "./_upload_source.ts";

/** Where {@linkcode stagedMoveCommand} finds the bytes and what it gives the new file. */
export interface StagedMoveOptions {
  /** The temporary name beside the destination. */
  temp: string;
  /**
   * Where the bytes are: `"stdin"` (the command reads them), a file the
   * command can read itself (copied with `cp` through the new file's
   * descriptor, in the kernel where it can), or absent when they are at
   * `temp` already.
   */
  from?: string;
  /**
   * With `from: "stdin"`: the number of bytes to expect. Fewer (the sender
   * stopped, the connection dropped) or more fail the move before the
   * rename, so a cut-off upload never lands at the destination.
   */
  size?: number;
  /** The mode to set (octal, as `chmod` takes it); else a regular file's mode it replaces, else 644. */
  chmod?: string;
  /** `user`, `user:group` or `:group` to set before the rename. */
  owner?: string;
  /**
   * With `from: "stdin"`: a refusal reads stdin to its end before it exits.
   * A container engine's `exec -i` (podman measured: 9 of 20 runs) drops
   * the stderr of a process that exits while its stdin is still open, and
   * with it the reason for the refusal.
   */
  drainOnRefusal?: boolean;
  /**
   * Bytes at `temp` already (staged with their mode): without `chmod`, try
   * to give them the mode of the regular file they replace.
   */
  keepMode?: boolean;
}

/**
 * The command that moves bytes into `remotePath` without a window for
 * another user of the target: a new file is made under `umask 077` with
 * `set -C`, mode and owner are set through its open descriptor
 * (`/proc/self/fd/7`; without /proc by name, `chown -h`), and only then is it
 * renamed into place. The rename replaces a link at `remotePath` rather than
 * following it, and nothing is done to `remotePath` after it. Bytes read on
 * stdin are counted first when `size` is given. A failure removes the
 * temporary file.
 *
 * `set -C` refuses an existing regular file or dangling link, but POSIX lets
 * it open anything else, a link to a device or a FIFO included. So nothing
 * may be at the temporary name beforehand, and what was opened must be a
 * regular file before a byte is written or an owner set: a link planted in
 * between (the name shows in `ps` while sudo starts) gains nothing.
 *
 * @example
 * ```ts
 * import { stagedMoveCommand } from "./_staged_upload.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(
 *   stagedMoveCommand("/etc/motd", { temp: "/etc/.motd.t", from: "stdin", chmod: "644" })
 *     .render(),
 *   "( umask 077 && set -C && { ! [ -e /etc/.motd.t ] && ! [ -L /etc/.motd.t ] || " +
 *     "{ echo /etc/.motd.t': something is already at the temporary name' >&2; exit 1; }; } && " +
 *     "exec 7>/etc/.motd.t && set +C && " +
 *     "f=/proc/self/fd/7 h= && { [ -e \"$f\" ] || f=/etc/.motd.t h=-h; } && " +
 *     "{ [ -f \"$f\" ] && ! { [ -n \"$h\" ] && [ -L \"$f\" ]; } || " +
 *     "{ echo /etc/.motd.t': not a regular file: refusing to write through a link' >&2; exit 1; }; } && " +
 *     "cat >&7 && chmod -- 644 \"$f\" ) && mv -f -- /etc/.motd.t /etc/motd || { rm -f -- /etc/.motd.t; exit 1; }",
 * );
 * ```
 */
export function stagedMoveCommand(remotePath: string, options: StagedMoveOptions): Command {
  const { temp, from } = options;
  const owner = options.owner !== undefined ? sh`chown $h -- ${options.owner} "$f" && ` : sh``;
  const mode = options.chmod !== undefined
    ? sh`chmod -- ${options.chmod} "$f"`
    : sh`{ m=$(stat -c %F:%a -- ${remotePath} 2>/dev/null); case $m in 'regular file:'*) m=\${m#*:};; *) m=644;; esac; chmod -- "$m" "$f"; }`;
  if (from === undefined) {
    const inPlace = options.chmod !== undefined
      ? sh`${mode} && `
      : options.keepMode
      ? sh`{ m=$(stat -c %F:%a -- ${remotePath} 2>/dev/null); case $m in 'regular file:'*) chmod -- \${m#*:} "$f" 2>/dev/null;; esac; :; } && `
      : sh``;
    return sh`f=${temp} h=-h && ${owner}${inPlace}mv -f -- ${temp} ${remotePath}`;
  }
  const descriptor = sh`f=/proc/self/fd/7 h= && { [ -e "$f" ] || f=${temp} h=-h; }`;
  const drain = from === "stdin" && options.drainOnRefusal ? sh`cat >/dev/null; ` : sh``;
  const vacant =
    sh`{ ! [ -e ${temp} ] && ! [ -L ${temp} ] || { echo ${temp}': something is already at the temporary name' >&2; ${drain}exit 1; }; }`;
  const regular =
    sh`{ [ -f "$f" ] && ! { [ -n "$h" ] && [ -L "$f" ]; } || { echo ${temp}': not a regular file: refusing to write through a link' >&2; ${drain}exit 1; }; }`;
  let fill: Command;
  if (from !== "stdin") {
    // cp through the descriptor (copy_file_range), never by name: without
    // /proc, cat into the descriptor.
    fill = sh`if [ -n "$h" ]; then cat -- ${from} >&7; else cp -- ${from} "$f"; fi`;
  } else if (options.size !== undefined) {
    fill = sh`cat >&7 && { [ "$(stat -L -c %s -- "$f")" = ${
      String(options.size)
    } ] || { echo ${`the upload ended early: expected ${options.size} bytes`} >&2; false; }; }`;
  } else fill = sh`cat >&7`;
  return sh`( umask 077 && set -C && ${vacant} && exec 7>${temp} && set +C && ${descriptor} && ${regular} && ${fill} && ${owner}${mode} ) && mv -f -- ${temp} ${remotePath} || { rm -f -- ${temp}; exit 1; }`;
}

/** Bytes a connector staged at the temporary name itself (`docker cp`). */
export interface Staging {
  /** Removes what staging left behind, after the move (`failed` when it did not succeed); never throws. */
  remove(failed: boolean): Promise<void>;
}

/** How one connector moves an upload into place. */
export interface StagedUploadOptions {
  /** The caller's put options: control arguments for the move, `mode` and `owner`. */
  put: PutOptions;
  /**
   * Stages the bytes at `temp` itself, for a target that cannot read stdin
   * (a container engine's copy). Without it the bytes are streamed into the
   * move command's stdin, so no copy is ever staged where others can read it.
   */
  stage?(source: FileSource, temp: string): Promise<Staging>;
  /**
   * The move command runs on this machine as the user skiff runs as: it
   * reads a source path itself (`cp`, in the kernel) instead of through
   * skiff. Never set it for a privileged move, which must not read a path
   * with more rights than skiff has.
   */
  readsLocalPaths?: boolean;
  /** Runs the move command with the caller's control arguments (and, streamed, its stdin). */
  run(command: Command, options: PutOptions & ByteStreams): Promise<CommandResult>;
  /** Appended to the place in errors, for example ` on web1`. */
  where?: string;
  /** Names the temporary file (default {@linkcode tempName}). */
  tempName?: (path: string) => string;
  /** Streamed: refusals read stdin to its end first (see {@linkcode StagedMoveOptions.drainOnRefusal}). */
  drainOnRefusal?: boolean;
}

/**
 * Moves `source` into `remotePath` under the caller's control arguments
 * with {@linkcode stagedMoveCommand}: the bytes are streamed from disk into
 * the command's stdin in chunks (never read whole), and the command checks
 * their count before the rename. Throws OperationError with the move's
 * stderr (or what the source threw) when it fails; what was staged is
 * removed either way.
 */
export async function stagedUpload(
  source: FileSource,
  remotePath: string,
  options: StagedUploadOptions,
): Promise<boolean> {
  const temp = (options.tempName ?? tempName)(remotePath);
  const { mode: chmod, owner } = options.put;
  let run: () => Promise<CommandResult>;
  let staging: Staging | undefined;
  const where = `"${remotePath}"${options.where ?? ""}`;
  const sourceFailed = (error: unknown) =>
    new OperationError(`Could not write ${where}: the source failed: ${errorMessage(error)}`);
  await using upload = options.stage ? undefined : await sizedUpload(await uploadSource(source))
    .catch((error) => {
      throw typeof source === "string" ? error : sourceFailed(error);
    });
  if (options.stage) {
    // The stage gave the bytes their mode already.
    staging = await options.stage(source, temp);
    const move = stagedMoveCommand(remotePath, { temp, owner, keepMode: chmod === undefined });
    run = () => options.run(move, options.put);
  } else if (options.readsLocalPaths && upload!.path !== undefined) {
    const move = stagedMoveCommand(remotePath, { temp, from: upload!.path, chmod, owner });
    run = () => options.run(move, options.put);
  } else {
    const { size } = upload!;
    const move = stagedMoveCommand(remotePath, {
      temp,
      from: "stdin",
      size,
      chmod,
      owner,
      drainOnRefusal: options.drainOnRefusal,
    });
    run = () => options.run(move, { ...options.put, openStdin: () => upload!.stream() });
  }
  let failed = true;
  try {
    const result = await run();
    if (!result.success && options.put.signal?.aborted) {
      // Killed mid-way (Ctrl-C): its own `|| rm` never ran. Remove the file under the same rights.
      const { signal: _, ...put } = options.put;
      await options.run(sh`rm -f -- ${temp}`, put).catch(() => {});
    }
    if (upload?.error() !== undefined) throw sourceFailed(upload.error());
    if (!result.success) {
      throw new OperationError(
        `Could not move the upload into ${where}: ${
          result.output.stderr || result.error || `exit code ${result.exitCode}`
        }`,
      );
    }
    failed = false;
    return true;
  } finally {
    await staging?.remove(failed);
  }
}

/**
 * Writes `source` with `mode` to a new file in a new local temporary
 * directory only its owner can enter (for `docker cp`, which copies the
 * mode too). Returns the file's path and a way to remove both; they are
 * removed when writing fails.
 */
export async function stageLocally(
  source: FileSource,
  mode: number,
): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-put-" });
  const remove = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  try {
    await Deno.chmod(dir, 0o700);
    const path = `${dir}/staged`;
    if (typeof source === "string") await Deno.copyFile(source, path);
    else {
      const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
      await sourceStream(source).pipeTo(file.writable);
    }
    await Deno.chmod(path, mode);
    return { path, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
