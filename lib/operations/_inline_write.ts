/**
 * Small files written by one command: the content travels inside the
 * command as a secret value and is moved into place the way every upload
 * is, in the persistent shell's round trip instead of an upload's.
 *
 * @module
 */

import { type Command, SecretValue, sh } from "../core/command.ts";
import type { FileAttributes } from "../api/mod.ts";
import type { ControlArguments } from "../core/arguments.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { makeUnixCommand } from "../core/unix_command.ts";
import { tempName } from "../../connectors/_shared.ts";
import { stagedMoveCommand } from "../../connectors/_staged_upload.ts";
import { normalizeMode, type OpContext, ownerSpec, type ResultBuilder } from "./context.ts";

/** Content up to this many bytes (and without a NUL byte) is written by one command. */
export const INLINE_WRITE_LIMIT = 64 * 1024;

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The one command that writes small content to `path`: the bytes travel as
 * a secret value (on the shell's stdin, never in argv) and `printf` pipes
 * them into {@linkcode stagedMoveCommand} (a new file under `umask 077` and
 * `set -C`, mode and owner set through its descriptor, then renamed into
 * place). Undefined when the content is too large, holds a NUL byte (a
 * shell value cannot), or the control arguments cannot carry a secret
 * (`_doas`, login shells, a pty): the caller uploads instead.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { inlineWriteCommand } from "./_inline_write.ts";
 * const command = inlineWriteCommand("/srv/a", new TextEncoder().encode("x\n"), { mode: "600" }, {});
 * strictEqual(command?.renderMasked().startsWith("printf '%s' *** | ( umask 077 && set -C && "), true);
 * strictEqual(/ && mv -f -- \/srv\/\.a\.skiff-\d+ \/srv\/a \|\| /.test(command!.renderMasked()), true);
 * strictEqual(inlineWriteCommand("/srv/a", new Uint8Array([0]), {}, {}), undefined);
 * ```
 */
export function inlineWriteCommand(
  path: string,
  bytes: Uint8Array,
  options: { mode?: string; owner?: string; createRemoteDir?: boolean },
  control: ControlArguments,
): Command | undefined {
  if (bytes.length > INLINE_WRITE_LIMIT || bytes.includes(0) || control._get_pty) return undefined;
  let text: string;
  try {
    text = strictDecoder.decode(bytes); // a command is text: other bytes are uploaded
  } catch {
    return undefined;
  }
  const content = new SecretValue(text);
  const move = stagedMoveCommand(path, {
    temp: tempName(path),
    from: "stdin",
    chmod: options.mode,
    owner: options.owner,
  });
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const mkdir = options.createRemoteDir && path.includes("/") ? sh`mkdir -p -- ${dir} && ` : sh``;
  const command = sh`${mkdir}printf '%s' ${content} | ${move}`;
  try {
    makeUnixCommand(command, control);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
  return command;
}

/**
 * Writes `bytes` to `path` with {@linkcode inlineWriteCommand}, shown as
 * the upload it replaces (`upload N bytes -> path`). False when the
 * content cannot go that way: the caller uploads it.
 */
export async function writeInline(
  ctx: OpContext,
  path: string,
  bytes: Uint8Array,
  attributes: FileAttributes & { createRemoteDir?: boolean },
  builder: ResultBuilder,
): Promise<boolean> {
  const owner = ownerSpec(attributes);
  const mode = normalizeMode(attributes.mode);
  const command = inlineWriteCommand(path, bytes, { ...attributes, mode, owner }, ctx.control);
  if (!command) return false;
  const label = `upload ${bytes.length} bytes -> ${path}`;
  const result = await ctx.session.run(command, ctx.control, { label });
  builder.record(result);
  ctx.session.invalidateFacts("files.");
  if (!result.success) {
    const why = result.output.stderrLines.slice(-3).join("\n") || result.error ||
      `exit code ${result.exitCode}`;
    throw new OperationError(
      `Upload to ${path} on ${ctx.session.name} failed: ${ctx.session.mask(why)}`,
    );
  }
  return true;
}
