/**
 * File facts: stat and sha256.
 *
 * @module
 */

import { sh } from "../core/command.ts";
import type { FileStat } from "../api/mod.ts";
import type { FactDefinition } from "./fact.ts";

const MISSING = "skiff:missing";

/**
 * Parses the output of {@linkcode stat}'s command.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseStat } from "./files.ts";
 * deepStrictEqual(parseStat("directory|755|root|root|4096|1700000000\n")?.type, "directory");
 * ```
 */
export function parseStat(stdout: string): FileStat | null {
  const [first, link = ""] = stdout.split("\n");
  if (first.trim() === MISSING || first.trim() === "") return null;
  const [kind, mode, user, group, size, mtime] = first.split("|");
  const type = kind === "regular file" || kind === "regular empty file"
    ? "file"
    : kind === "directory"
    ? "directory"
    : kind === "symbolic link"
    ? "link"
    : "other";
  const stat: FileStat = { type, mode, user, group, size: Number(size), mtime: Number(mtime) };
  if (type === "link") stat.linkTarget = link;
  return stat;
}

/** Type, mode, owner, size, mtime and link target of a path; null when missing. */
export const stat: FactDefinition<[string], FileStat | null> = {
  name: "files.stat",
  signature: {
    params: "path: string",
    returns: "FileStat | null",
    description: "type, mode, owner, size and time of a path; null when missing",
  },
  command: (path) =>
    sh`if [ -e ${path} ] || [ -L ${path} ]; then stat -c '%F|%a|%U|%G|%s|%Y' ${path} && { readlink ${path} || true; }; else echo ${MISSING}; fi`,
  parse: parseStat,
};

/**
 * The sha256 of a file's content; null when it does not exist. The file is
 * read on stdin: given a name, sha256sum escapes one holding a newline or a
 * backslash and puts a backslash before the sum.
 */
export const sha256: FactDefinition<[string], string | null> = {
  name: "files.sha256",
  signature: {
    params: "path: string",
    returns: "string | null",
    description: "the sha256 of a file; null when missing",
  },
  command: (path) => sh`if [ -f ${path} ]; then sha256sum < ${path}; else echo ${MISSING}; fi`,
  parse: (stdout) => stdout.trim() === MISSING ? null : stdout.trim().split(/\s+/)[0],
};
