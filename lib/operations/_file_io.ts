/**
 * What the file operations share: reading and writing remote files in one
 * round trip each, attributes, local sources, diffs.
 *
 * @module
 */

import { createTwoFilesPatch } from "diff";
import { sh } from "../core/command.ts";
import type { FileAttributes } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { privilegeOf } from "../core/privilege.ts";

import {
  attributeScript,
  isBinary,
  normalizeMode,
  type OpContext,
  openNoFollow,
  ownerSpec,
  type ResultBuilder,
  runScript,
  sha256Hex,
} from "./context.ts";

export const MISSING = "skiff:missing";
export const decoder = new TextDecoder();
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
  /** Size in bytes. */
  size?: number;
  content?: Uint8Array;
  /** With `hashIfSize`: only when the size matched. */
  sha256?: string;
}

/**
 * Reads a remote file's mode, owner, size and (optionally) content or
 * sha256 in one round trip. With `hashIfSize`, the sha256 is computed only
 * when the file has that size (a file of another size differs anyway). A
 * symbolic link at `path` is refused: no file operation reads, writes or
 * changes attributes through a link (see "Security model").
 */
export async function readRemote(
  ctx: OpContext,
  path: string,
  builder: ResultBuilder,
  what: "content" | "sha256" | "stat",
  options: { hashIfSize?: number } = {},
): Promise<RemoteFile> {
  const size = options.hashIfSize;
  const body = what === "content"
    ? sh`base64 < "$f"`
    : what === "sha256" && size !== undefined
    ? sh`case $s in *'|'${String(size)}) sha256sum < "$f";; esac`
    : what === "sha256"
    ? sh`sha256sum < "$f"`
    : sh`:`;
  const script = sh`p=${path}
if [ -d "$p" ] && [ ! -L "$p" ]; then echo ${path}" is a directory" >&2; exit 1; fi
if [ -f "$p" ] || [ -L "$p" ]; then
${openNoFollow()}
s=$(stat -c '%a|%U|%G|%s' -- "$p") && echo "$s" && ${body}; else echo ${MISSING}; fi`;
  const lines = await runScript(ctx, script, builder);
  if (lines[0] === MISSING) return { exists: false };
  const [mode, user, group, bytes] = lines[0].split("|");
  const file: RemoteFile = { exists: true, mode, user, group, size: Number(bytes) };
  if (what === "content") {
    file.content = Uint8Array.from(atob(lines.slice(1).join("")), (c) => c.charCodeAt(0));
  }
  if (what === "sha256") file.sha256 = lines[1]?.split(/\s+/)[0];
  return file;
}

/**
 * Content to upload: bytes, or a local file the connector streams from disk
 * (`path` and `size`; never read whole).
 */
export type UploadContent = Uint8Array | { readonly path: string; readonly size: number };

/** Writes content to a remote path atomically, then fixes mode and owner. */
export async function writeRemote(
  ctx: OpContext,
  path: string,
  content: UploadContent,
  attributes: FileAttributes & { createRemoteDir?: boolean },
  builder: ResultBuilder,
): Promise<void> {
  if (attributes.createRemoteDir) {
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    const result = await ctx.session.run(sh`mkdir -p ${dir}`, ctx.control);
    builder.record(result);
    if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
  }
  const bytes = content instanceof Uint8Array ? content : content.path;
  const size = content instanceof Uint8Array ? content.length : content.size;
  const label = `upload ${size} bytes -> ${path}`;
  builder.record({ masked: label, output: { stdout: "", stderr: "" } });
  // Mode and owner are set on the temporary file before the rename: nothing
  // privileged is done to `path` after it (see "Security model" in the README).
  const owner = ownerSpec(attributes);
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

/**
 * What `files.put` uploads: a `{ content }` or a small local file as bytes,
 * or a large local file by path and size (its sha256 computed streaming,
 * and only when asked).
 */
export interface PutSource {
  /** Size in bytes. */
  readonly size: number;
  /** The content, when it is in memory (`{ content }` or a file of at most 1 MiB). */
  readonly bytes: Uint8Array | undefined;
  /** What `writeRemote` uploads. */
  readonly upload: UploadContent;
  /** The hex sha256 of the content. */
  sha256(): Promise<string>;
}

/** The source of `files.put`: a local path (under the local-path policy) or `{ content }`. */
export async function putSource(ctx: OpContext, source: unknown): Promise<PutSource> {
  if (typeof source === "string") {
    const file = await ctx.openLocal(source);
    return { ...file, upload: file.bytes ?? file, sha256: () => file.sha256() };
  }
  if (typeof source === "object" && source !== null && "content" in source) {
    const content = (source as { content: unknown }).content;
    const bytes = typeof content === "string"
      ? encoder.encode(content)
      : content instanceof Uint8Array
      ? content
      : undefined;
    if (bytes) return { size: bytes.length, bytes, upload: bytes, sha256: () => sha256Hex(bytes) };
  }
  throw new InputError(
    `files.put: source must be a local path or { content }, got ${JSON.stringify(source)}`,
  );
}

/**
 * A one-line diff for content too large to compare line by line.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { sizeDiff } from "./_file_io.ts";
 * strictEqual(sizeDiff("/srv/app.tar", null, 2097152), "Large file /srv/app.tar: absent -> 2097152 bytes");
 * ```
 */
export function sizeDiff(path: string, before: number | null, after: number): string {
  return `Large file ${path}: ${before === null ? "absent" : `${before} bytes`} -> ${after} bytes`;
}

export function isPrivileged(ctx: OpContext): boolean {
  return privilegeOf(ctx.control).kind !== "none";
}
