/**
 * `files.copy` and `files.move`: a file copied or moved on the host itself
 * (nothing passes through the controller). A copy is skipped when the
 * destination's sha256 is the source's; a move when the source is gone and
 * the destination is there.
 *
 * @module
 */

import { raw, sh } from "../core/command.ts";
import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { OperationError } from "../core/errors.ts";
import {
  CHANGE_MARK,
  normalizeMode,
  type OpContext,
  ownerSpec,
  ResultBuilder,
  runScript,
  sha256Hex,
} from "./context.ts";
import { contentDiff, fixAttributes, pathCheck, readRemote } from "./_file_io.ts";
import {
  ABSENT,
  fileKey,
  type FileState,
  newEntry,
  parentOf,
  predictEmptied,
  predictFile,
  predictUnknownUnder,
  viewFiles,
} from "./file_state.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";

/**
 * `files.copy(src, dest, {mode, user, group})`: copies the host's file
 * `src` to `dest` through a temporary file beside it (renamed into place)
 * when their sha256 differ. The copy gets `mode`, else the mode of the file
 * it replaces, else the source's; its owner is `user`/`group`, else who
 * the operation runs as. When the content is the same only mode and owner
 * are fixed.
 */
export async function copy(
  ctx: OpContext,
  source: unknown,
  target: unknown,
  options: FileAttributes,
): Promise<OperationResult> {
  const src = pathCheck(source, "files.copy src");
  const dest = pathCheck(target, "files.copy dest");
  normalizeMode(options.mode);
  const owner = ownerSpec(options);
  const builder = new ResultBuilder();
  const from = await readRemote(ctx, src, builder, "sha256");
  if (!from.exists) {
    throw new OperationError(`files.copy: ${src} does not exist on ${ctx.session.name}`);
  }
  const to = await readRemote(ctx, dest, builder, "sha256");
  if (to.exists && to.sha256 === from.sha256) {
    await fixAttributes(ctx, dest, to, options, builder);
    return builder.done(`${dest} is up to date`);
  }
  builder.change(`copied ${src} -> ${dest}`);
  const mode = normalizeMode(options.mode) ?? (to.exists ? to.mode! : from.mode!);
  let content: Uint8Array | typeof UNKNOWN = UNKNOWN;
  if (ctx.wantDiff) {
    const after = await readRemote(ctx, src, new ResultBuilder(), "content");
    const before = to.exists
      ? (await readRemote(ctx, dest, new ResultBuilder(), "content")).content!
      : null;
    builder.diff(contentDiff(dest, before, after.content!));
    content = after.content!;
  }
  if (ctx.prediction) {
    await predictNewFile(ctx, "files.copy", { dest, sha256: from.sha256!, mode, options, content });
    return builder.done("");
  }
  await runScript(
    ctx,
    sh`s=${src}; d=${dest}
if [ -L "$s" ] || [ ! -f "$s" ]; then echo ${src}" is not a regular file" >&2; exit 1; fi
t=$(mktemp -- "$d.skiff-XXXXXX") || exit 1
if cat -- "$s" > "$t" && chmod -- ${mode} "$t"${
      owner === undefined ? sh`` : sh` && chown -- ${owner} "$t"`
    } && mv -f -- "$t" "$d"; then :; else rm -f -- "$t"; exit 1; fi`,
    builder,
  );
  ctx.session.invalidateFacts("files.");
  return builder.done("");
}

/**
 * States a file a dry run predicts `op` writes at `dest` (a copy, a
 * download): new, with `mode`, the owner asked for (else the writer's),
 * `content` and `sha256` where known. Its directory must be one.
 */
export async function predictNewFile(
  ctx: OpContext,
  op: string,
  { dest, sha256, mode, options, content }: {
    dest: string;
    sha256: string | typeof UNKNOWN;
    mode: string;
    options: FileAttributes;
    content: Uint8Array | typeof UNKNOWN;
  },
): Promise<void> {
  const parent = parentOf(dest);
  const view = await viewFiles(ctx, [parent]);
  const above = view.paths.get(parent)!;
  if ("unknown" in above) throw new StateUnknown(fileKey(parent), above.unknown);
  if (above.state.type !== "directory") {
    throw new OperationError(`${op}: ${parent} is not a directory on ${ctx.session.name}`);
  }
  const state = newEntry("file", view.writer, above.state);
  predictFile(ctx, dest, {
    ...state,
    mode,
    user: options.user ?? state.user,
    group: options.group ?? state.group,
    content,
    sha256,
  });
}

/**
 * `files.move(src, dest)`: renames `src` (a file, link or directory) to
 * `dest` on the host with `mv`, replacing a file there. No change when
 * `src` is gone and `dest` exists; an error when neither exists. A
 * directory or a symbolic link at `dest` is refused (`mv` would move into
 * it).
 */
export async function move(
  ctx: OpContext,
  source: unknown,
  target: unknown,
): Promise<OperationResult> {
  const src = pathCheck(source, "files.move src");
  const dest = pathCheck(target, "files.move dest");
  const builder = new ResultBuilder();
  if (ctx.prediction) return await predictMove(ctx, src, dest, builder);
  await runScript(
    ctx,
    sh`s=${src}; d=${dest}
if [ -e "$s" ] || [ -L "$s" ]; then
  if [ -L "$d" ]; then echo ${dest}" is a symbolic link: skiff does not follow links" >&2; exit 1; fi
  if [ -d "$d" ]; then echo ${dest}" is a directory" >&2; exit 1; fi
  echo "${raw(CHANGE_MARK)}moved "${src}" -> "${dest}; mv -f -- "$s" "$d" || exit 1
elif [ ! -e "$d" ] && [ ! -L "$d" ]; then echo "neither "${src}" nor "${dest}" exists" >&2; exit 1
fi`,
    builder,
  );
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${dest} is in place`);
}

/** `files.move` in a dry run: the same decisions from the predicted state. */
async function predictMove(
  ctx: OpContext,
  src: string,
  dest: string,
  builder: ResultBuilder,
): Promise<OperationResult> {
  const parent = parentOf(dest);
  // With --diff a later copy of `dest` shows its content: read it (else its sha256 alone).
  const what = ctx.wantDiff ? "content" : "sha256";
  const view = await viewFiles(ctx, [src, dest, parent], { path: src, what });
  const known = (path: string): FileState => {
    const seen = view.paths.get(path)!;
    if ("unknown" in seen) throw new StateUnknown(fileKey(path), seen.unknown);
    return seen.state;
  };
  const from = known(src);
  const to = known(dest);
  if (from.type === "absent") {
    if (to.type === "absent") {
      throw new OperationError(`files.move: neither ${src} nor ${dest} exists`);
    }
    return builder.done(`${dest} is in place`);
  }
  if (to.type === "link") {
    throw new OperationError(`${dest} is a symbolic link: skiff does not follow links`);
  }
  if (to.type === "directory") throw new OperationError(`${dest} is a directory`);
  const above = known(parent);
  if (above.type !== "directory") {
    throw new OperationError(`files.move: ${parent} is not a directory`);
  }
  if (from.type === "directory" && to.type !== "absent") {
    throw new OperationError(`files.move: cannot overwrite ${dest} with the directory ${src}`);
  }
  builder.change(`moved ${src} -> ${dest}`);
  // What was the host's content at `src` is not the host's at `dest`: unknown unless stated.
  const content = from.content;
  const moved: FileState = from.type !== "file" ? from : {
    ...from,
    content: content ?? UNKNOWN,
    sha256: from.sha256 ?? (content instanceof Uint8Array ? await sha256Hex(content) : UNKNOWN),
  };
  predictFile(ctx, dest, moved);
  predictFile(ctx, src, ABSENT);
  if (from.type === "directory") {
    predictUnknownUnder(ctx, dest);
    predictEmptied(ctx, src);
  }
  return builder.done("");
}
