/**
 * Line and block edits of remote text files: `files.line`, `files.block`, and
 * the shared `editFile` that `files.replace` uses too.
 *
 * @module
 */

import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";

import { isBinary, normalizeMode, type OpContext, ownerSpec, ResultBuilder } from "./context.ts";
import {
  contentDiff,
  decoder,
  encoder,
  fixAttributes,
  isPrivileged,
  pathCheck,
  readRemote,
  writeRemote,
} from "./_file_io.ts";

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
 * import { deepStrictEqual } from "node:assert/strict";
 * import { editLine } from "./files.ts";
 * deepStrictEqual(editLine("a=1\nb=2\n", "a=3", { match: /^a=/ }), "a=3\nb=2\n");
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
 * import { deepStrictEqual } from "node:assert/strict";
 * import { editBlock } from "./files.ts";
 * deepStrictEqual(editBlock("x\n", "a\nb", { marker: "# {mark} m" }), "x\n# BEGIN m\na\nb\n# END m\n");
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
  normalizeMode(options.mode);
  ownerSpec(options);
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
    await writeRemote(ctx, path, after, {
      mode: options.mode ?? remote.mode,
      user: options.user ?? (remote.exists && isPrivileged(ctx) ? remote.user : undefined),
      group: options.group ?? (remote.exists && isPrivileged(ctx) ? remote.group : undefined),
    }, builder);
    return builder.done("");
  }
  await fixAttributes(ctx, path, remote, options, builder);
  return builder.done(`${path} already has it`);
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
