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
import { sha256 as sha256Fact } from "../facts/files.ts";
import {
  attributeScript,
  CHANGE_MARK,
  normalizeMode,
  type OpContext,
  ownerSpec,
  ResultBuilder,
  runScript,
  sha256Hex,
} from "./context.ts";
import {
  contentDiff,
  fixAttributes,
  pathCheck,
  readRemote,
  sourceBytes,
  writeRemote,
} from "./_file_io.ts";

import { predictDirectory, predictLink, predictRegularFile } from "./files_predicted.ts";
import { predict, readFact } from "./predicted_facts.ts";
import { dependsResult, StateUnknown } from "./predicted_state.ts";

export { block, editBlock, editFile, editLine, line } from "./files_edit.ts";
export { sync } from "./files_sync.ts";

/** `files.put(source, dest, {mode, user, group, createRemoteDir})`. */
export async function put(
  ctx: OpContext,
  source: unknown,
  dest: unknown,
  options: FileAttributes & { createRemoteDir?: boolean },
): Promise<OperationResult> {
  const path = pathCheck(dest, "files.put dest");
  normalizeMode(options.mode);
  ownerSpec(options);
  const bytes = await sourceBytes(ctx, source);
  const builder = new ResultBuilder();
  const remote = await readRemote(ctx, path, builder, "sha256").catch(async (error) => {
    if (!(error instanceof StateUnknown)) throw error;
    // What was there is unknown to the dry run; what will be is these bytes.
    await writeRemote(ctx, path, bytes, { ...options, unknownBefore: true }, builder);
    return null;
  });
  if (remote === null) return dependsResult();
  const localSha = await sha256Hex(bytes);
  if (!remote.exists || remote.sha256 !== localSha) {
    builder.change(remote.exists ? `updated ${path}` : `created ${path}`);
    if (ctx.wantDiff) {
      const before = remote.exists
        ? (await readRemote(ctx, path, new ResultBuilder(), "content")).content!
        : null;
      builder.diff(contentDiff(path, before, bytes));
    }
    const mode = options.mode ?? remote.mode;
    await writeRemote(ctx, path, bytes, { ...options, mode }, builder);
    return builder.done("");
  }
  await fixAttributes(ctx, path, remote, options, builder);
  return builder.done(`${path} is up to date`);
}

/** `files.get(src, dest)`: downloads when the local copy differs. */
export async function get(ctx: OpContext, src: unknown, dest: unknown): Promise<OperationResult> {
  const remotePath = pathCheck(src, "files.get src");
  const localPath = ctx.resolveLocal(pathCheck(dest, "files.get dest"), "write");
  const builder = new ResultBuilder();
  const remoteSha = await readFact(ctx, sha256Fact, remotePath);
  if (remoteSha === null) {
    throw new OperationError(`files.get: ${remotePath} does not exist on ${ctx.session.name}`);
  }
  let localSha: string | null = null;
  const downloaded = ctx.prediction?.state.lookup(`local:${localPath}`);
  if (downloaded?.from === "state") localSha = downloaded.value as string;
  else {
    try {
      localSha = await sha256Hex(await Deno.readFile(localPath));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  if (localSha === remoteSha) return builder.done(`${localPath} is up to date`);
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
