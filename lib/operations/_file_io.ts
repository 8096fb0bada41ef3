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
import {
  ancestorsOf,
  fileKey,
  type FileState,
  newEntry,
  parentOf,
  predictFile,
  predictParents,
  viewFiles,
} from "./file_state.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";
import { sha256File } from "./local_files.ts";
import { writeInline } from "./_inline_write.ts";

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

/** A remote file as the file operations read it. */
export interface RemoteFile {
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
  if (ctx.prediction) return await predictedRemote(ctx, path, what);
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
  attributes: FileAttributes & { createRemoteDir?: boolean; unknownBefore?: boolean },
  builder: ResultBuilder,
): Promise<void> {
  if (ctx.prediction) return await predictWrite(ctx, path, content, attributes);
  if (content instanceof Uint8Array && await writeInline(ctx, path, content, attributes, builder)) {
    return;
  }
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
  if (ctx.prediction) {
    const { changes, next } = attributeChanges(current, wanted);
    changes.forEach((change) => builder.change(change));
    const seen = (await viewFiles(ctx, [path])).paths.get(path)!;
    if ("state" in seen) predictFile(ctx, path, { ...seen.state, ...next });
  } else {
    await runScript(ctx, sh`p=${path}\n${attributeScript(wanted, true)}`, builder);
  }
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
    `files.put: src must be a local path or { content }, got ${JSON.stringify(source)}`,
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

/**
 * The changes `attributeScript` makes (and reports) to a path's mode and
 * owner, worked out from what is known of it: the same lines, and the
 * attributes after.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { attributeChanges } from "./_file_io.ts";
 * deepStrictEqual(
 *   attributeChanges({ mode: "755", user: "root", group: "root" }, { mode: "0750", group: "adm" }),
 *   { changes: ["mode 755 -> 750", "owner :root -> :adm"], next: { mode: "750", user: "root", group: "adm" } },
 * );
 * ```
 */
export function attributeChanges(
  current: { mode?: string; user?: string; group?: string },
  wanted: FileAttributes,
): { changes: string[]; next: { mode?: string; user?: string; group?: string } } {
  const changes: string[] = [];
  const next = { mode: current.mode, user: current.user, group: current.group };
  const mode = normalizeMode(wanted.mode);
  if (mode !== undefined && current.mode !== mode) {
    changes.push(`mode ${current.mode} -> ${mode}`);
    next.mode = mode;
  }
  const spec = ownerSpec(wanted);
  if (spec !== undefined) {
    const have = wanted.user !== undefined && wanted.group !== undefined
      ? `${current.user}:${current.group}`
      : wanted.user !== undefined
      ? `${current.user}`
      : `:${current.group}`;
    if (have !== spec) {
      changes.push(`owner ${have} -> ${spec}`);
      next.user = wanted.user ?? current.user;
      next.group = wanted.group ?? current.group;
    }
  }
  return { changes, next };
}

/** A known field of a predicted file, or StateUnknown. */
function field<T>(value: T | typeof UNKNOWN | undefined, key: string, cause: string): T {
  if (value === UNKNOWN || value === undefined) throw new StateUnknown(key, cause);
  return value;
}

/** `readRemote` in a dry run: the predicted file, with the same refusals. */
async function predictedRemote(
  ctx: OpContext,
  path: string,
  what: "content" | "sha256" | "stat",
): Promise<RemoteFile> {
  const body = what === "stat" ? undefined : { path, what };
  const view = await viewFiles(ctx, [path], body);
  const seen = view.paths.get(path)!;
  const key = fileKey(path);
  if ("unknown" in seen) throw new StateUnknown(key, seen.unknown);
  const state = seen.state;
  if (state.type === "directory") throw new OperationError(`${path} is a directory`);
  if (state.type === "link") {
    throw new OperationError(`${path} is a symbolic link: skiff does not follow links`);
  }
  if (state.type !== "file") return { exists: false };
  const cause = ctx.prediction!.cause;
  const file: RemoteFile = {
    exists: true,
    mode: field(state.mode, key, cause),
    user: field(state.user, key, cause),
    group: field(state.group, key, cause),
  };
  if (what === "content") file.content = field(state.content, key, cause);
  if (what === "sha256") file.sha256 = field(state.sha256, key, cause);
  return file;
}

/** `writeRemote` in a dry run: states the file it would write (and the directories it would make). */
async function predictWrite(
  ctx: OpContext,
  path: string,
  content: UploadContent,
  attributes: FileAttributes & { createRemoteDir?: boolean; unknownBefore?: boolean },
): Promise<void> {
  const parent = parentOf(path);
  const view = await viewFiles(ctx, [...ancestorsOf(path), path]);
  const before = view.paths.get(path);
  const above = view.paths.get(parent) ?? { state: { type: "directory" } as FileState };
  // A parent the dry run cannot know is taken to be there: the prediction is of a write that works.
  if (attributes.createRemoteDir) predictParents(ctx, path, view);
  else if ("state" in above && above.state.type !== "directory") {
    throw new OperationError(
      `Upload to ${path} failed on ${ctx.session.name}: ${parent} is not a directory`,
    );
  }
  const dir = view.paths.get(parent);
  const state = newEntry("upload", view.writer, dir && "state" in dir ? dir.state : undefined);
  const existing = before && "state" in before && before.state.type === "file"
    ? before.state
    : undefined;
  // An upload keeps the mode of the file it replaces (unknown when that file is).
  state.mode = normalizeMode(attributes.mode) ??
    (attributes.unknownBefore ? UNKNOWN : existing?.mode ?? "644");
  if (attributes.user !== undefined) state.user = attributes.user;
  if (attributes.group !== undefined) state.group = attributes.group;
  if (content instanceof Uint8Array) {
    state.content = content;
    state.sha256 = await sha256Hex(content);
  } else {
    // A large local file: its digest (hashed from disk), never its bytes.
    state.content = UNKNOWN;
    state.sha256 = await sha256File(content.path);
  }
  predictFile(ctx, path, state);
}

/**
 * States that a command rewrites a file's content in place (`echo … >`):
 * an existing file keeps its mode and owner; a new one gets the writer's.
 */
export async function predictRewrite(
  ctx: OpContext,
  path: string,
  bytes: Uint8Array,
): Promise<void> {
  if (!ctx.prediction) return;
  const view = await viewFiles(ctx, [parentOf(path), path]);
  const seen = view.paths.get(path)!;
  const above = view.paths.get(parentOf(path));
  const base = "state" in seen && seen.state.type === "file"
    ? seen.state
    : newEntry("file", view.writer, above && "state" in above ? above.state : undefined);
  predictFile(ctx, path, { ...base, content: bytes, sha256: await sha256Hex(bytes) });
}
