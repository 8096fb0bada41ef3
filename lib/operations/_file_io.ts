/**
 * What the file operations share: reading and writing remote files in one
 * round trip each, attributes, local sources, diffs.
 *
 * @module
 */

import { createTwoFilesPatch } from "diff";
import { type Command, SecretValue, sh } from "../core/command.ts";
import type { FileAttributes } from "../api/mod.ts";
import type { ControlArguments } from "../core/arguments.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { privilegeOf } from "../core/privilege.ts";
import { makeUnixCommand } from "../core/unix_command.ts";
import { tempName } from "../../connectors/_shared.ts";
import { stagedMoveCommand } from "../../connectors/_staged_upload.ts";

import {
  attributeScript,
  isBinary,
  normalizeMode,
  type OpContext,
  openNoFollow,
  ownerSpec,
  type ResultBuilder,
  runScript,
} from "./context.ts";

export const MISSING = "skiff:missing";
export const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
export const encoder = new TextEncoder();

/** A path an operation was given; never empty, never taken for an option (a leading `-`). */
export function pathCheck(path: unknown, what: string): string {
  if (typeof path !== "string" || path === "") {
    throw new InputError(`${what}: expected a path, got ${JSON.stringify(path)}`);
  }
  if (path.startsWith("-")) {
    throw new InputError(`${what}: a path must not start with "-", got ${JSON.stringify(path)}`);
  }
  return path;
}

/** A unified diff of two texts, or a one-line summary for binary content. */
export function contentDiff(
  path: string,
  before: Uint8Array | null,
  after: Uint8Array | null,
): string {
  if ((before && isBinary(before)) || (after && isBinary(after))) {
    return `Binary file ${path}: ${before ? `${before.length} bytes` : "absent"} -> ${
      after ? `${after.length} bytes` : "absent"
    }`;
  }
  return createTwoFilesPatch(
    before ? path : "/dev/null",
    after ? path : "/dev/null",
    before ? decoder.decode(before) : "",
    after ? decoder.decode(after) : "",
    undefined,
    undefined,
    { context: 3 },
  ).replace(/^(Index: .*\n)?=+\n/, "").trimEnd();
}

interface RemoteFile {
  exists: boolean;
  mode?: string;
  user?: string;
  group?: string;
  content?: Uint8Array;
  sha256?: string;
}

/**
 * Reads a remote file's mode, owner and (optionally) content in one round
 * trip. A symbolic link at `path` is refused: no file operation reads,
 * writes or changes attributes through a link (see "Security model").
 */
export async function readRemote(
  ctx: OpContext,
  path: string,
  builder: ResultBuilder,
  what: "content" | "sha256" | "stat",
): Promise<RemoteFile> {
  const body = what === "content"
    ? sh`base64 < "$f"`
    : what === "sha256"
    ? sh`sha256sum < "$f"`
    : sh`:`;
  const script = sh`p=${path}
if [ -d "$p" ] && [ ! -L "$p" ]; then echo ${path}" is a directory" >&2; exit 1; fi
if [ -f "$p" ] || [ -L "$p" ]; then
${openNoFollow()}
stat -c '%a|%U|%G' -- "$p" && ${body}; else echo ${MISSING}; fi`;
  const lines = await runScript(ctx, script, builder);
  if (lines[0] === MISSING) return { exists: false };
  const [mode, user, group] = lines[0].split("|");
  const file: RemoteFile = { exists: true, mode, user, group };
  if (what === "content") {
    file.content = Uint8Array.from(atob(lines.slice(1).join("")), (c) => c.charCodeAt(0));
  }
  if (what === "sha256") file.sha256 = lines[1]?.split(/\s+/)[0];
  return file;
}

/** Content up to this many bytes (and without a NUL byte) is written by one command. */
export const INLINE_WRITE_LIMIT = 64 * 1024;

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
 * import { inlineWriteCommand } from "./_file_io.ts";
 * const command = inlineWriteCommand("/srv/a", new TextEncoder().encode("x\n"), { mode: "600" }, {});
 * strictEqual(command?.renderMasked().startsWith("printf '%s' *** | ( umask 077 && set -C && exec 7>/srv/.a.skiff-"), true);
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
 * Writes bytes to a remote path atomically, with mode and owner set before
 * the rename: small content in one command ({@linkcode inlineWriteCommand}),
 * anything else through the connector's upload.
 */
export async function writeRemote(
  ctx: OpContext,
  path: string,
  bytes: Uint8Array,
  attributes: FileAttributes & { createRemoteDir?: boolean },
  builder: ResultBuilder,
): Promise<void> {
  const label = `upload ${bytes.length} bytes -> ${path}`;
  // Mode and owner are set on the temporary file before the rename: nothing
  // privileged is done to `path` after it (see "Security model" in the README).
  const owner = ownerSpec(attributes);
  const mode = normalizeMode(attributes.mode);
  const inline = inlineWriteCommand(path, bytes, { ...attributes, mode, owner }, ctx.control);
  if (inline) {
    const result = await ctx.session.run(inline, ctx.control, { label });
    builder.record(result);
    ctx.session.invalidateFacts("files.");
    if (!result.success) {
      const why = result.output.stderrLines.slice(-3).join("\n") || result.error ||
        `exit code ${result.exitCode}`;
      throw new OperationError(
        `Upload to ${path} on ${ctx.session.name} failed: ${ctx.session.mask(why)}`,
      );
    }
    return;
  }
  if (attributes.createRemoteDir) {
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    const result = await ctx.session.run(sh`mkdir -p ${dir}`, ctx.control);
    builder.record(result);
    if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
  }
  builder.record({ masked: label, output: { stdout: "", stderr: "" } });
  const ok = await ctx.session.put(bytes, path, {
    ...ctx.control,
    mode: attributes.mode,
    ...(owner !== undefined ? { owner } : {}),
    label,
  });
  if (!ok) throw new OperationError(`Upload to ${path} failed on ${ctx.session.name}`);
  ctx.session.invalidateFacts("files.");
}

/** Compares mode and owner; in apply mode fixes them. Records changes. */
export async function fixAttributes(
  ctx: OpContext,
  path: string,
  current: RemoteFile,
  wanted: FileAttributes,
  builder: ResultBuilder,
): Promise<void> {
  const mode = normalizeMode(wanted.mode);
  const differs = (mode !== undefined && current.mode !== mode) ||
    (wanted.user !== undefined && current.user !== wanted.user) ||
    (wanted.group !== undefined && current.group !== wanted.group);
  if (!differs) return;
  await runScript(ctx, sh`p=${path}\n${attributeScript(wanted, !ctx.dryRun)}`, builder);
  if (ctx.wantDiff) {
    const lines: string[] = [];
    if (mode !== undefined && current.mode !== mode) lines.push(`mode ${current.mode} -> ${mode}`);
    if (wanted.user !== undefined && current.user !== wanted.user) {
      lines.push(`user ${current.user} -> ${wanted.user}`);
    }
    if (wanted.group !== undefined && current.group !== wanted.group) {
      lines.push(`group ${current.group} -> ${wanted.group}`);
    }
    builder.diff(`${path}: ${lines.join(", ")}`);
  }
  ctx.session.invalidateFacts("files.");
}

export async function sourceBytes(ctx: OpContext, source: unknown): Promise<Uint8Array> {
  if (typeof source === "string") return await ctx.readLocal(source);
  if (typeof source === "object" && source !== null && "content" in source) {
    const content = (source as { content: unknown }).content;
    if (typeof content === "string") return encoder.encode(content);
    if (content instanceof Uint8Array) return content;
  }
  throw new InputError(
    `files.put: source must be a local path or { content }, got ${JSON.stringify(source)}`,
  );
}

export function isPrivileged(ctx: OpContext): boolean {
  return privilegeOf(ctx.control).kind !== "none";
}
