/**
 * File operations: put, get, directory, file, link; line, block and editFile
 * (`files_edit.ts`) and sync (`files_sync.ts`) are re-exported here. Each
 * checks and changes in as few round trips as it can, reports what it changed
 * (or would change in a dry run), and changes nothing the second time.
 *
 * @module
 */

import { raw, sh } from "../core/command.ts";
import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { OperationError } from "../core/errors.ts";
import {
  attributeScript,
  CHANGE_MARK,
  normalizeMode,
  type OpContext,
  ownerSpec,
  ResultBuilder,
  runScript,
} from "./context.ts";
import {
  contentDiff,
  fixAttributes,
  MISSING,
  pathCheck,
  type PutSource,
  putSource,
  readRemote,
  sizeDiff,
  writeRemote,
} from "./_file_io.ts";
import { sha256File, SMALL_FILE } from "./local_files.ts";

import { predictDirectory, predictLink, predictRegularFile } from "./files_predicted.ts";
import { predict, readFact } from "./predicted_facts.ts";
import { sha256 as sha256Fact } from "../facts/files.ts";
import { dependsResult, StateUnknown } from "./predicted_state.ts";

export { block, editBlock, editFile, editLine, line } from "./files_edit.ts";
export { sync } from "./files_sync.ts";

/**
 * `files.put(src, dest, {mode, user, group, createRemoteDir})`. A remote
 * file of another size differs without hashing either side; the local
 * sha256 is computed only when the sizes match. A large source is streamed
 * from disk, never held.
 */
export async function put(
  ctx: OpContext,
  source: unknown,
  dest: unknown,
  options: FileAttributes & { createRemoteDir?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(dest, "files.put dest");
  normalizeMode(options.mode);
  ownerSpec(options);
  const local = await putSource(ctx, source);
  const builder = new ResultBuilder();
  const remote = await readRemote(ctx, path, builder, "sha256", { hashIfSize: local.size })
    .catch(async (error) => {
      if (!(error instanceof StateUnknown)) throw error;
      // What was there is unknown to the dry run; what will be is this content.
      await writeRemote(ctx, path, local.upload, { ...options, unknownBefore: true }, builder);
      return null;
    });
  if (remote === null) return dependsResult();
  // A dry run's predicted file has no size: its sha256 is always known.
  const same = remote.exists && remote.sha256 !== undefined &&
    (remote.size === undefined || remote.size === local.size) &&
    remote.sha256 === await local.sha256();
  if (!same) {
    builder.change(remote.exists ? `updated ${path}` : `created ${path}`);
    if (ctx.wantDiff) builder.diff(await putDiff(ctx, path, remote, local));
    const mode = options.mode ?? remote.mode;
    // In a dry run this states the write in the predicted state; it writes nothing.
    await writeRemote(ctx, path, local.upload, { ...options, mode }, builder);
    return builder.done("");
  }
  await fixAttributes(ctx, path, remote, options, builder);
  return builder.done(`${path} is up to date`);
}

/** The diff of a put: line by line when both sides are small, else their sizes. */
async function putDiff(
  ctx: OpContext,
  path: string,
  remote: { exists: boolean; size?: number },
  local: PutSource,
): Promise<string> {
  const remoteSize = remote.exists ? remote.size ?? 0 : null;
  if (!local.bytes || local.size > SMALL_FILE || (remoteSize ?? 0) > SMALL_FILE) {
    return sizeDiff(path, remoteSize, local.size);
  }
  const before = remote.exists
    ? (await readRemote(ctx, path, new ResultBuilder(), "content")).content!
    : null;
  return contentDiff(path, before, local.bytes);
}

/**
 * `files.get(src, dest)`: downloads when the local copy differs. The remote
 * file is hashed only when a local copy of the same size exists; the
 * download streams to disk.
 */
export async function get(ctx: OpContext, src: unknown, dest: unknown): Promise<OperationResult> {
  const remotePath = pathCheck(src, "files.get src");
  const localPath = ctx.resolveLocal(pathCheck(dest, "files.get dest"), "write");
  const builder = new ResultBuilder();
  if (ctx.prediction) return await predictedGet(ctx, remotePath, localPath, builder);
  let localSize = -1;
  try {
    localSize = (await Deno.stat(localPath)).size;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const lines = await runScript(
    ctx,
    sh`if [ -f ${remotePath} ]; then s=$(stat -L -c %s -- ${remotePath}) && echo "$s" && { [ "$s" != ${
      String(localSize)
    } ] || sha256sum < ${remotePath}; }; else echo ${MISSING}; fi`,
    builder,
  );
  if (lines[0] === MISSING) {
    throw new OperationError(`files.get: ${remotePath} does not exist on ${ctx.session.name}`);
  }
  const remoteSha = lines[1]?.split(/\s+/)[0];
  if (
    Number(lines[0]) === localSize && remoteSha !== undefined &&
    remoteSha === await sha256File(localPath)
  ) {
    return builder.done(`${localPath} is up to date`);
  }
  builder.change(`downloaded ${remotePath} -> ${localPath}`);
  // What the controller's copy would be, for a later files.get of it in the same dry run.
  predict(ctx, `local:${localPath}`, remoteSha);
  if (!ctx.dryRun) {
    const label = `download ${remotePath} -> ${localPath}`;
    builder.record({ masked: label, output: { stdout: "", stderr: "" } });
    await ctx.session.get(remotePath, localPath, { ...ctx.control, label });
  }
  return builder.done("");
}

/**
 * `files.get` in a dry run: the remote sha256 as the dry run predicts it,
 * against the controller's copy (or the copy an earlier get of this dry run
 * would have made).
 */
async function predictedGet(
  ctx: OpContext,
  remotePath: string,
  localPath: string,
  builder: ResultBuilder,
): Promise<OperationResult> {
  const remoteSha = await readFact(ctx, sha256Fact, remotePath);
  if (remoteSha === null) {
    throw new OperationError(`files.get: ${remotePath} does not exist on ${ctx.session.name}`);
  }
  let localSha: string | null = null;
  const downloaded = ctx.prediction?.state.lookup(`local:${localPath}`);
  if (downloaded?.from === "state") localSha = downloaded.value as string;
  else {
    try {
      localSha = await sha256File(localPath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  if (localSha === remoteSha) return builder.done(`${localPath} is up to date`);
  builder.change(`downloaded ${remotePath} -> ${localPath}`);
  predict(ctx, `local:${localPath}`, remoteSha);
  return builder.done("");
}

/** `files.directory(path, {present, mode, user, group, recursive})`. */
export async function directory(
  ctx: OpContext,
  target: unknown,
  options: FileAttributes & { present?: boolean; recursive?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(target, "files.directory path");
  normalizeMode(options.mode);
  ownerSpec(options);
  if (ctx.prediction) return await predictDirectory(ctx, path, options);
  const apply = !ctx.dryRun;
  const builder = new ResultBuilder();
  if (options.present === false) {
    await runScript(
      ctx,
      sh`p=${path}
if [ -e "$p" ] || [ -L "$p" ]; then echo "${raw(CHANGE_MARK)}removed "${path}; ${
        apply ? sh`rm -rf -- "$p"` : sh`:`
      }; fi`,
      builder,
    );
  } else {
    await runScript(
      ctx,
      sh`p=${path}
if [ -e "$p" ] && [ ! -d "$p" ]; then echo ${path}" exists and is not a directory" >&2; exit 1; fi
if [ ! -d "$p" ]; then echo "${raw(CHANGE_MARK)}created "${path}; ${
        apply ? sh`mkdir -p -- "$p" || exit 1` : sh`:`
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
  normalizeMode(options.mode);
  ownerSpec(options);
  if (ctx.prediction) return await predictRegularFile(ctx, path, options);
  const apply = !ctx.dryRun;
  const builder = new ResultBuilder();
  if (options.present === false) {
    await runScript(
      ctx,
      sh`p=${path}
if [ -d "$p" ] && [ ! -L "$p" ]; then echo ${path}" is a directory" >&2; exit 1; fi
if [ -e "$p" ] || [ -L "$p" ]; then echo "${raw(CHANGE_MARK)}removed "${path}; ${
        apply ? sh`rm -f -- "$p"` : sh`:`
      }; fi`,
      builder,
    );
  } else {
    await runScript(
      ctx,
      sh`p=${path}
if [ -L "$p" ]; then echo ${path}" is a symbolic link: skiff does not follow links" >&2; exit 1; fi
if [ -e "$p" ] && [ ! -f "$p" ]; then echo ${path}" exists and is not a regular file" >&2; exit 1; fi
if [ ! -f "$p" ]; then echo "${raw(CHANGE_MARK)}created "${path}; ${
        apply ? sh`( set -C; : > "$p" ) || exit 1` : sh`:`
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
  if (ctx.prediction) {
    const to = options.present === false ? undefined : pathCheck(linkTarget, "files.link target");
    return await predictLink(ctx, path, to, options);
  }
  const apply = !ctx.dryRun;
  const builder = new ResultBuilder();
  if (options.present === false) {
    await runScript(
      ctx,
      sh`p=${path}
if [ -L "$p" ]; then echo "${raw(CHANGE_MARK)}removed "${path}; ${apply ? sh`rm -f -- "$p"` : sh`:`}
elif [ -e "$p" ]; then echo ${path}" exists and is not a link" >&2; exit 1; fi`,
      builder,
    );
  } else {
    const to = pathCheck(linkTarget, "files.link target");
    await runScript(
      ctx,
      sh`p=${path}; t=${to}
if [ -L "$p" ]; then c=$(readlink -- "$p"); if [ "$c" != "$t" ]; then echo "${
        raw(CHANGE_MARK)
      }link $c -> "${to}; ${apply ? sh`ln -sfn -- "$t" "$p" || exit 1` : sh`:`}; fi
elif [ -e "$p" ]; then echo ${path}" exists and is not a link" >&2; exit 1
else echo "${raw(CHANGE_MARK)}created "${path}" -> "${to}; ${
        apply ? sh`ln -s -- "$t" "$p" || exit 1` : sh`:`
      }; fi`,
      builder,
    );
  }
  if (builder.changed) ctx.session.invalidateFacts("files.");
  return builder.done(`${path} is as wanted`);
}
