/**
 * File operations: put, get, directory, file, link, line, block, sync.
 * Each checks and changes in as few round trips as it can, reports what it
 * changed (or would change in a dry run), and changes nothing the second time.
 *
 * @module
 */

import { createTwoFilesPatch } from "diff";
import { raw, sh } from "../core/command.ts";
import type { FileAttributes, OperationResult } from "../api/types.ts";
import { InputError, OperationError } from "../core/errors.ts";
import { privilegeOf } from "../core/privilege.ts";
import { sha256 as sha256Fact } from "../facts/files.ts";
import {
  attributeScript,
  CHANGE_MARK,
  isBinary,
  normalizeMode,
  type OpContext,
  ResultBuilder,
  runScript,
  sha256Hex,
} from "./context.ts";

const MISSING = "skiff:missing";
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function pathCheck(path: unknown, what: string): string {
  if (typeof path !== "string" || path === "") {
    throw new InputError(`${what}: expected a path, got ${JSON.stringify(path)}`);
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

/** Reads a remote file's mode, owner and (optionally) content in one round trip. */
async function readRemote(
  ctx: OpContext,
  path: string,
  builder: ResultBuilder,
  what: "content" | "sha256" | "stat",
): Promise<RemoteFile> {
  const body = what === "content"
    ? sh`base64 < "$p"`
    : what === "sha256"
    ? sh`sha256sum < "$p"`
    : sh`:`;
  const script = sh`p=${path}
if [ -d "$p" ]; then echo ${path}" is a directory" >&2; exit 1; fi
if [ -f "$p" ]; then stat -c '%a|%U|%G' "$p" && ${body}; else echo ${MISSING}; fi`;
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

/** Writes bytes to a remote path atomically, then fixes mode and owner. */
async function writeRemote(
  ctx: OpContext,
  path: string,
  bytes: Uint8Array,
  attributes: FileAttributes & { createRemoteDir?: boolean },
  builder: ResultBuilder,
): Promise<void> {
  if (attributes.createRemoteDir) {
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    const result = await ctx.session.run(sh`mkdir -p ${dir}`, ctx.control);
    builder.record(result);
    if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
  }
  const label = `upload ${bytes.length} bytes -> ${path}`;
  ctx.session.emitCommand(label);
  builder.record({ masked: label, output: { stdout: "", stderr: "" } });
  const ok = await ctx.session.connector.putFile(bytes, path, {
    ...ctx.control,
    mode: attributes.mode,
  });
  if (!ok) throw new OperationError(`Upload to ${path} failed on ${ctx.session.name}`);
  if (attributes.user !== undefined || attributes.group !== undefined) {
    const owner = attributes.user !== undefined && attributes.group !== undefined
      ? `${attributes.user}:${attributes.group}`
      : attributes.user ?? `:${attributes.group}`;
    const result = await ctx.session.run(sh`chown ${owner} ${path}`, ctx.control);
    builder.record(result);
    if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
  }
  ctx.session.invalidateFacts("files.");
}

/** Compares mode and owner; in apply mode fixes them. Records changes. */
async function fixAttributes(
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

async function sourceBytes(ctx: OpContext, source: unknown): Promise<Uint8Array> {
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

/** `files.put(source, dest, {mode, user, group, createRemoteDir})`. */
export async function put(
  ctx: OpContext,
  source: unknown,
  dest: unknown,
  options: FileAttributes & { createRemoteDir?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(dest, "files.put dest");
  normalizeMode(options.mode);
  const bytes = await sourceBytes(ctx, source);
  const builder = new ResultBuilder();
  const remote = await readRemote(ctx, path, builder, "sha256");
  const localSha = await sha256Hex(bytes);
  if (!remote.exists || remote.sha256 !== localSha) {
    builder.change(remote.exists ? `updated ${path}` : `created ${path}`);
    if (ctx.wantDiff) {
      const before = remote.exists
        ? (await readRemote(ctx, path, new ResultBuilder(), "content")).content!
        : null;
      builder.diff(contentDiff(path, before, bytes));
    }
    if (!ctx.dryRun) {
      const mode = options.mode ?? remote.mode;
      await writeRemote(ctx, path, bytes, { ...options, mode }, builder);
    }
    return builder.done("");
  }
  await fixAttributes(ctx, path, remote, options, builder);
  return builder.done(`${path} is up to date`);
}

/** `files.get(src, dest)`: downloads when the local copy differs. */
export async function get(ctx: OpContext, src: unknown, dest: unknown): Promise<OperationResult> {
  const remotePath = pathCheck(src, "files.get src");
  const localPath = ctx.resolveLocal(pathCheck(dest, "files.get dest"));
  const builder = new ResultBuilder();
  const remoteSha = await ctx.session.fact(sha256Fact, remotePath);
  if (remoteSha === null) {
    throw new OperationError(`files.get: ${remotePath} does not exist on ${ctx.session.name}`);
  }
  let localSha: string | null = null;
  try {
    localSha = await sha256Hex(await Deno.readFile(localPath));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (localSha === remoteSha) return builder.done(`${localPath} is up to date`);
  builder.change(`downloaded ${remotePath} -> ${localPath}`);
  if (!ctx.dryRun) {
    const label = `download ${remotePath} -> ${localPath}`;
    ctx.session.emitCommand(label);
    builder.record({ masked: label, output: { stdout: "", stderr: "" } });
    await ctx.session.connector.getFile(remotePath, localPath, ctx.control);
  }
  return builder.done("");
}

/** `files.directory(path, {present, mode, user, group, recursive})`. */
export async function directory(
  ctx: OpContext,
  target: unknown,
  options: FileAttributes & { present?: boolean; recursive?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(target, "files.directory path");
  const apply = !ctx.dryRun;
  const builder = new ResultBuilder();
  if (options.present === false) {
    await runScript(
      ctx,
      sh`p=${path}
if [ -e "$p" ] || [ -L "$p" ]; then echo "${raw(CHANGE_MARK)}removed "${path}; ${
        apply ? sh`rm -rf "$p"` : sh`:`
      }; fi`,
      builder,
    );
  } else {
    await runScript(
      ctx,
      sh`p=${path}
if [ -e "$p" ] && [ ! -d "$p" ]; then echo ${path}" exists and is not a directory" >&2; exit 1; fi
if [ ! -d "$p" ]; then echo "${raw(CHANGE_MARK)}created "${path}; ${
        apply ? sh`mkdir -p "$p" || exit 1` : sh`:`
      }; fi
if [ -d "$p" ]; then
${attributeScript(options, apply)}
fi`,
      builder,
    );
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${path} is as wanted`);
}

/** `files.file(path, {present, touch, mode, user, group})`. */
export async function file(
  ctx: OpContext,
  target: unknown,
  options: FileAttributes & { present?: boolean; touch?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(target, "files.file path");
  const apply = !ctx.dryRun;
  const builder = new ResultBuilder();
  if (options.present === false) {
    await runScript(
      ctx,
      sh`p=${path}
if [ -d "$p" ] && [ ! -L "$p" ]; then echo ${path}" is a directory" >&2; exit 1; fi
if [ -e "$p" ] || [ -L "$p" ]; then echo "${raw(CHANGE_MARK)}removed "${path}; ${
        apply ? sh`rm -f "$p"` : sh`:`
      }; fi`,
      builder,
    );
  } else {
    await runScript(
      ctx,
      sh`p=${path}
if [ -e "$p" ] && [ ! -f "$p" ]; then echo ${path}" exists and is not a regular file" >&2; exit 1; fi
if [ ! -f "$p" ]; then echo "${raw(CHANGE_MARK)}created "${path}; ${
        apply ? sh`: > "$p" || exit 1` : sh`:`
      }
${
        options.touch
          ? sh`else echo "${raw(CHANGE_MARK)}touched "${path}; ${apply ? sh`touch "$p"` : sh`:`}`
          : sh``
      }
fi
if [ -f "$p" ]; then
${attributeScript(options, apply)}
fi`,
      builder,
    );
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${path} is as wanted`);
}

/** `files.link(path, target, {present})`: a symbolic link. */
export async function link(
  ctx: OpContext,
  target: unknown,
  linkTarget: unknown,
  options: { present?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(target, "files.link path");
  const apply = !ctx.dryRun;
  const builder = new ResultBuilder();
  if (options.present === false) {
    await runScript(
      ctx,
      sh`p=${path}
if [ -L "$p" ]; then echo "${raw(CHANGE_MARK)}removed "${path}; ${apply ? sh`rm -f "$p"` : sh`:`}
elif [ -e "$p" ]; then echo ${path}" exists and is not a link" >&2; exit 1; fi`,
      builder,
    );
  } else {
    const to = pathCheck(linkTarget, "files.link target");
    await runScript(
      ctx,
      sh`p=${path}; t=${to}
if [ -L "$p" ]; then c=$(readlink "$p"); if [ "$c" != "$t" ]; then echo "${
        raw(CHANGE_MARK)
      }link $c -> "${to}; ${apply ? sh`ln -sfn "$t" "$p" || exit 1` : sh`:`}; fi
elif [ -e "$p" ]; then echo ${path}" exists and is not a link" >&2; exit 1
else echo "${raw(CHANGE_MARK)}created "${path}" -> "${to}; ${
        apply ? sh`ln -s "$t" "$p" || exit 1` : sh`:`
      }; fi`,
      builder,
    );
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${path} is as wanted`);
}

/** Splits text into lines, remembering whether it ended with a newline. */
function splitLines(text: string): { lines: string[]; trailingNewline: boolean } {
  if (text === "") return { lines: [], trailingNewline: true };
  const trailingNewline = text.endsWith("\n");
  const lines = (trailingNewline ? text.slice(0, -1) : text).split("\n");
  return { lines, trailingNewline };
}

function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

function toRegExp(match: string | RegExp | undefined, what: string): RegExp | undefined {
  if (match === undefined) return undefined;
  if (match instanceof RegExp) return match;
  try {
    return new RegExp(match);
  } catch (error) {
    throw new InputError(
      `${what}: invalid regular expression ${JSON.stringify(match)}: ${(error as Error).message}`,
    );
  }
}

/**
 * The new content for `files.line`. Pure: `line` is literal text; lines
 * matching `match` are replaced by it.
 *
 * @example
 * ```ts
 * import { editLine } from "./files.ts";
 * editLine("a=1\nb=2\n", "a=3", { match: /^a=/ }); // "a=3\nb=2\n"
 * ```
 */
export function editLine(
  text: string,
  line: string,
  options: { present?: boolean; match?: RegExp },
): string {
  if (line.includes("\n")) throw new InputError(`files.line: the line must not contain a newline`);
  const { lines } = splitLines(text);
  const normalized = text === "" || text.endsWith("\n") ? text : text + "\n";
  const hits = (candidate: string) =>
    candidate === line || (options.match?.test(candidate) ?? false);
  if (options.present === false) {
    const kept = lines.filter((candidate) => !hits(candidate));
    return kept.length === lines.length ? text : joinLines(kept);
  }
  if (options.match && lines.some((candidate) => options.match!.test(candidate))) {
    const replaced = lines.map((candidate) => options.match!.test(candidate) ? line : candidate);
    const next = joinLines(replaced);
    return next === normalized ? text : next;
  }
  if (lines.includes(line)) return text;
  return normalized + line + "\n";
}

/**
 * The new content for `files.block`: the block between BEGIN and END markers
 * is replaced, added at the end, or removed.
 *
 * @example
 * ```ts
 * import { editBlock } from "./files.ts";
 * editBlock("x\n", "a\nb", { marker: "# {mark} m" }); // "x\n# BEGIN m\na\nb\n# END m\n"
 * ```
 */
export function editBlock(
  text: string,
  content: string,
  options: { marker?: string; present?: boolean },
): string {
  const marker = options.marker ?? "# {mark} SKIFF MANAGED BLOCK";
  if (!marker.includes("{mark}")) {
    throw new InputError(`files.block: the marker must contain "{mark}"`);
  }
  const begin = marker.replace("{mark}", "BEGIN");
  const end = marker.replace("{mark}", "END");
  const { lines } = splitLines(text);
  const start = lines.indexOf(begin);
  const stop = start === -1 ? -1 : lines.indexOf(end, start + 1);
  const block = [
    begin,
    ...splitLines(content.endsWith("\n") ? content : content + "\n").lines,
    end,
  ];
  let next: string[];
  if (start !== -1 && stop !== -1) {
    next = options.present === false
      ? [...lines.slice(0, start), ...lines.slice(stop + 1)]
      : [...lines.slice(0, start), ...block, ...lines.slice(stop + 1)];
  } else {
    if (options.present === false) return text;
    next = [...lines, ...block];
  }
  const result = joinLines(next);
  const normalized = text === "" || text.endsWith("\n") ? text : text + "\n";
  return result === normalized ? text : result;
}

/** Reads a remote text file, applies `edit` to its text, and writes it back when it changed. */
export async function editFile(
  ctx: OpContext,
  path: string,
  options: FileAttributes & { create?: boolean; present?: boolean },
  edit: (text: string) => string,
  opName: string,
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  const remote = await readRemote(ctx, path, builder, "content");
  if (!remote.exists && !options.create) {
    if (options.present === false) return builder.done(`${path} does not exist`);
    throw new OperationError(
      `${opName}: ${path} does not exist on ${ctx.session.name} (pass create: true to create it)`,
    );
  }
  const before = remote.content ?? new Uint8Array();
  if (remote.exists && isBinary(before)) {
    throw new OperationError(`${opName}: ${path} is a binary file`);
  }
  const text = decoder.decode(before);
  const next = edit(text);
  if (next !== text || !remote.exists) {
    builder.change(remote.exists ? `edited ${path}` : `created ${path}`);
    const after = encoder.encode(next);
    if (ctx.wantDiff) builder.diff(contentDiff(path, remote.exists ? before : null, after));
    if (!ctx.dryRun) {
      await writeRemote(ctx, path, after, {
        mode: options.mode ?? remote.mode,
        user: options.user ?? (remote.exists && isPrivileged(ctx) ? remote.user : undefined),
        group: options.group ?? (remote.exists && isPrivileged(ctx) ? remote.group : undefined),
      }, builder);
    }
    return builder.done("");
  }
  await fixAttributes(ctx, path, remote, options, builder);
  return builder.done(`${path} already has it`);
}

function isPrivileged(ctx: OpContext): boolean {
  return privilegeOf(ctx.control).kind !== "none";
}

/** `files.line(path, line, {present, match, create})`. */
export function line(
  ctx: OpContext,
  target: unknown,
  wanted: unknown,
  options: FileAttributes & { present?: boolean; match?: string | RegExp; create?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(target, "files.line path");
  if (typeof wanted !== "string") throw new InputError(`files.line: the line must be a string`);
  const match = toRegExp(options.match, "files.line match");
  editLine("", wanted, { match }); // validates the line before touching the host
  return editFile(
    ctx,
    path,
    options,
    (text) => editLine(text, wanted, { present: options.present, match }),
    "files.line",
  );
}

/** `files.block(path, content, {marker, present, create})`. */
export function block(
  ctx: OpContext,
  target: unknown,
  content: unknown,
  options: FileAttributes & { marker?: string; present?: boolean; create?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(target, "files.block path");
  if (typeof content !== "string") {
    throw new InputError(`files.block: the content must be a string`);
  }
  editBlock("", "", { marker: options.marker });
  return editFile(ctx, path, options, (text) => editBlock(text, content, options), "files.block");
}

async function listLocal(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await listLocal(root, rel));
    else if (entry.isFile) out.push(rel);
  }
  return out.sort();
}

/** `files.sync(src, dest, {delete})`: per-file sha256 comparison and upload in one listing round trip. */
export async function sync(
  ctx: OpContext,
  source: unknown,
  dest: unknown,
  options: { delete?: boolean },
): Promise<OperationResult> {
  const localRoot = ctx.resolveLocal(pathCheck(source, "files.sync src")).replace(/\/$/, "");
  const remoteRoot = pathCheck(dest, "files.sync dest").replace(/\/$/, "");
  const builder = new ResultBuilder();
  if (
    !isPrivileged(ctx) && await ctx.session.connector.checkCanRsync().then(() => true, () => false)
  ) {
    return await syncWithRsync(ctx, localRoot, remoteRoot, options, builder);
  }
  const localFiles = await listLocal(localRoot);
  const lines = await runScript(
    ctx,
    sh`if [ -d ${remoteRoot} ]; then cd ${remoteRoot} && find . -type f -exec sha256sum {} +; fi`,
    builder,
  );
  const remote = new Map<string, string>();
  for (const entry of lines) {
    const match = /^([0-9a-f]{64})\s+\*?\.\/(.*)$/.exec(entry);
    if (match) remote.set(match[2], match[1]);
  }
  for (const rel of localFiles) {
    const bytes = await Deno.readFile(`${localRoot}/${rel}`);
    if (remote.get(rel) === await sha256Hex(bytes)) continue;
    builder.change(`${remote.has(rel) ? "updated" : "created"} ${remoteRoot}/${rel}`);
    if (!ctx.dryRun) {
      await writeRemote(ctx, `${remoteRoot}/${rel}`, bytes, { createRemoteDir: true }, builder);
    }
  }
  if (options.delete) {
    const extra = [...remote.keys()].filter((rel) => !localFiles.includes(rel)).sort();
    for (const rel of extra) builder.change(`removed ${remoteRoot}/${rel}`);
    if (extra.length > 0 && !ctx.dryRun) {
      const result = await ctx.session.run(sh`cd ${remoteRoot} && rm -f -- ${extra}`, ctx.control);
      builder.record(result);
      if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
    }
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${remoteRoot} is in sync`);
}

/** files.sync through rsync: `--itemize-changes` says what changed (or, with `-n`, would). */
async function syncWithRsync(
  ctx: OpContext,
  localRoot: string,
  remoteRoot: string,
  options: { delete?: boolean },
  builder: ResultBuilder,
): Promise<OperationResult> {
  const flags = [
    "-rlt",
    "--itemize-changes",
    ...(options.delete ? ["--delete"] : []),
    ...(ctx.dryRun ? ["-n"] : []),
  ];
  const lines: string[] = [];
  const label = `rsync ${flags.join(" ")} ${localRoot}/ ${remoteRoot}/`;
  ctx.session.emitCommand(label);
  const ok = await ctx.session.connector.rsync(`${localRoot}/`, `${remoteRoot}/`, flags, {
    ...ctx.control,
    onOutput: (line) => {
      if (line.stream === "stdout") lines.push(line.line);
    },
  });
  builder.record({ masked: label, output: { stdout: lines.join("\n"), stderr: "" } });
  if (!ok) {
    throw new OperationError(`files.sync: rsync to ${remoteRoot} failed on ${ctx.session.name}`);
  }
  for (const line of lines) {
    const deleting = /^\*deleting\s+(.*)$/.exec(line);
    if (deleting) builder.change(`removed ${remoteRoot}/${deleting[1]}`);
    else {
      const item = /^([<>c.][fdL])([^ ]*) (.*)$/.exec(line);
      if (item && item[1].endsWith("f") && item[1][0] !== ".") {
        builder.change(
          `${item[2].startsWith("+") ? "created" : "updated"} ${remoteRoot}/${item[3]}`,
        );
      }
    }
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${remoteRoot} is in sync`);
}
