/**
 * `files.replace`: regular-expression replacement in a remote text file.
 *
 * @module
 */

import type { FileAttributes, OperationResult } from "../api/mod.ts";
import { InputError } from "../core/errors.ts";
import type { OpContext } from "./context.ts";
import { editFile } from "./files.ts";

/**
 * A global, multi-line regular expression from a string or RegExp.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { replaceAll } from "./replace.ts";
 * deepStrictEqual(replaceAll("a=1\nb=1\n", "=1$", "=2"), "a=2\nb=2\n");
 * ```
 */
export function replaceAll(text: string, match: string | RegExp, replacement: string): string {
  let pattern: RegExp;
  try {
    pattern = match instanceof RegExp
      ? new RegExp(match.source, match.flags.includes("g") ? match.flags : `${match.flags}g`)
      : new RegExp(match, "gm");
  } catch (error) {
    throw new InputError(
      `files.replace: invalid regular expression ${JSON.stringify(String(match))}: ${
        (error as Error).message
      }`,
    );
  }
  return text.replace(pattern, replacement);
}

/** `files.replace(path, match, replacement, {mode, user, group})`. */
export function replace(
  ctx: OpContext,
  path: unknown,
  match: unknown,
  replacement: unknown,
  options: FileAttributes,
): Promise<OperationResult> {
  if (typeof path !== "string" || path === "") {
    throw new InputError(`files.replace: expected a path, got ${JSON.stringify(path)}`);
  }
  if (typeof match !== "string" && !(match instanceof RegExp)) {
    throw new InputError("files.replace: match must be a regular expression or its source text");
  }
  if (typeof replacement !== "string") {
    throw new InputError("files.replace: replacement must be a string");
  }
  replaceAll("", match, replacement);
  return editFile(
    ctx,
    path,
    options,
    (text) => replaceAll(text, match, replacement),
    "files.replace",
  );
}
