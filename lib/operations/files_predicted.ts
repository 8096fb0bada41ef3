/**
 * `files.directory`, `files.file` and `files.link` in a dry run. Their real
 * runs check and change in one remote script; in a dry run the same
 * decisions are made here from the predicted state of the path and its
 * ancestors, with the same descriptions and the same refusals, and the
 * result is stated as the path's predicted state.
 *
 * @module
 */

import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { OperationError } from "../core/errors.ts";
import { attributeChanges } from "./_file_io.ts";
import { type OpContext, ResultBuilder, sha256Hex } from "./context.ts";
import {
  ABSENT,
  ancestorsOf,
  fileKey,
  type FileState,
  type FilesView,
  newEntry,
  parentOf,
  predictEmptied,
  predictFile,
  predictParents,
  predictUnknownUnder,
  viewFiles,
} from "./file_state.ts";
import { StateUnknown, UNKNOWN } from "./predicted_state.ts";

/** The path's predicted state and its parent's, read in one round trip; throws when unknown. */
async function look(
  ctx: OpContext,
  path: string,
): Promise<{ view: FilesView; state: FileState; parent?: FileState | "unknown" }> {
  const view = await viewFiles(ctx, [...ancestorsOf(path), path]);
  const seen = view.paths.get(path)!;
  if ("unknown" in seen) throw new StateUnknown(fileKey(path), seen.unknown);
  const above = view.paths.get(parentOf(path));
  const parent = above === undefined ? undefined : "unknown" in above ? "unknown" : above.state;
  return { view, state: seen.state, parent };
}

/** Refuses to create `path` where its parent is not a directory, as the host would. */
function needParent(ctx: OpContext, path: string, parent: FileState | "unknown" | undefined) {
  if (parent === "unknown") throw new StateUnknown(fileKey(parentOf(path)), ctx.prediction!.cause);
  if (parent !== undefined && parent.type !== "directory") {
    throw new OperationError(`cannot create ${path}: ${parentOf(path)} is not a directory`);
  }
}

/** Applies wanted mode and owner to a predicted state, recording the changes as the script would. */
function applyAttributes(
  ctx: OpContext,
  path: string,
  state: FileState,
  wanted: FileAttributes,
  builder: ResultBuilder,
): FileState {
  const need = (value: unknown, asked: unknown) => {
    if (asked !== undefined && (value === UNKNOWN || value === undefined)) {
      throw new StateUnknown(fileKey(path), ctx.prediction!.cause);
    }
    return value === UNKNOWN ? undefined : value as string | undefined;
  };
  const current = {
    mode: need(state.mode, wanted.mode),
    user: need(state.user, wanted.user),
    group: need(state.group, wanted.group),
  };
  const { changes, next } = attributeChanges(current, wanted);
  changes.forEach((change) => builder.change(change));
  return changes.length === 0 ? state : { ...state, ...next };
}

/** `files.directory` in a dry run. */
export async function predictDirectory(
  ctx: OpContext,
  path: string,
  options: FileAttributes & { present?: boolean; recursive?: boolean },
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  const { view, state } = await look(ctx, path);
  if (options.present === false) {
    if (state.type !== "absent") {
      builder.change(`removed ${path}`);
      predictFile(ctx, path, ABSENT);
      predictEmptied(ctx, path);
    }
    return builder.done(`${path} is as wanted`);
  }
  const attributes = options.mode !== undefined || options.user !== undefined ||
    options.group !== undefined;
  if (state.type === "link") {
    if (state.toDirectory === undefined) {
      throw new StateUnknown(fileKey(path), ctx.prediction!.cause);
    }
    if (!state.toDirectory) throw new OperationError(`${path} exists and is not a directory`);
    if (attributes) {
      throw new OperationError(`${path} is a symbolic link: skiff does not follow links`);
    }
    return builder.done(`${path} is as wanted`);
  }
  if (state.type !== "absent" && state.type !== "directory") {
    throw new OperationError(`${path} exists and is not a directory`);
  }
  let next = state;
  if (state.type === "absent") {
    builder.change(`created ${path}`);
    predictParents(ctx, path, view);
    const above = view.paths.get(parentOf(path));
    next = newEntry("dir", view.writer, above && "state" in above ? above.state : undefined);
  }
  const after = applyAttributes(ctx, path, next, options, builder);
  if (after !== state) predictFile(ctx, path, after);
  if (options.recursive && builder.changed) predictUnknownUnder(ctx, path);
  return builder.done(`${path} is as wanted`);
}

/** `files.file` in a dry run. */
export async function predictRegularFile(
  ctx: OpContext,
  path: string,
  options: FileAttributes & { present?: boolean; touch?: boolean },
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  const { view, state, parent } = await look(ctx, path);
  if (options.present === false) {
    if (state.type === "directory") throw new OperationError(`${path} is a directory`);
    if (state.type !== "absent") {
      builder.change(`removed ${path}`);
      predictFile(ctx, path, ABSENT);
    }
    return builder.done(`${path} is as wanted`);
  }
  if (state.type === "link") {
    throw new OperationError(`${path} is a symbolic link: skiff does not follow links`);
  }
  if (state.type !== "absent" && state.type !== "file") {
    throw new OperationError(`${path} exists and is not a regular file`);
  }
  let next = state;
  if (state.type === "absent") {
    needParent(ctx, path, parent);
    builder.change(`created ${path}`);
    const empty = new Uint8Array();
    next = {
      ...newEntry("file", view.writer, parent === "unknown" ? undefined : parent),
      content: empty,
      sha256: await sha256Hex(empty),
    };
  } else if (options.touch) builder.change(`touched ${path}`);
  const after = applyAttributes(ctx, path, next, options, builder);
  // A touch changes only the times: the state stays as it is, and is stated.
  if (builder.changed) predictFile(ctx, path, after);
  return builder.done(`${path} is as wanted`);
}

/** `files.link` in a dry run. */
export async function predictLink(
  ctx: OpContext,
  path: string,
  to: string | undefined,
  options: { present?: boolean },
): Promise<OperationResult> {
  const builder = new ResultBuilder();
  const { state, parent } = await look(ctx, path);
  if (options.present === false) {
    if (state.type === "link") {
      builder.change(`removed ${path}`);
      predictFile(ctx, path, ABSENT);
    } else if (state.type !== "absent") {
      throw new OperationError(`${path} exists and is not a link`);
    }
    return builder.done(`${path} is as wanted`);
  }
  if (state.type === "link") {
    if (state.target === UNKNOWN || state.target === undefined) {
      throw new StateUnknown(fileKey(path), ctx.prediction!.cause);
    }
    if (state.target !== to) {
      builder.change(`link ${state.target} -> ${to}`);
      predictFile(ctx, path, { type: "link", target: to });
    }
  } else if (state.type !== "absent") {
    throw new OperationError(`${path} exists and is not a link`);
  } else {
    needParent(ctx, path, parent);
    builder.change(`created ${path} -> ${to}`);
    predictFile(ctx, path, { type: "link", target: to });
  }
  return builder.done(`${path} is as wanted`);
}
