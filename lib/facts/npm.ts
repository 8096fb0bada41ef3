/**
 * npm package facts: the top-level packages installed in a project
 * directory (or globally), as `npm ls` reports them.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { FactDefinition } from "./fact.ts";

/** `--prefix DIR`, or `--global` when there is no directory. */
export function npmWhere(dir?: string): Command {
  return dir === undefined ? sh`--global` : sh`--prefix ${dir}`;
}

/**
 * The command that lists the installed top-level packages as JSON: `{}`
 * for a directory that does not exist; `npm ls` exiting 1 (a missing or
 * extraneous dependency) still lists.
 */
export function npmListCommand(dir?: string): Command {
  const absent = dir === undefined ? sh`` : sh`[ -d ${dir} ] || { echo '{}'; exit 0; }\n`;
  return sh`${absent}out=$(npm ls --json --depth=0 ${npmWhere(dir)}); rc=$?
printf '%s\\n' "$out"; [ "$rc" -le 1 ] || exit "$rc"`;
}

/**
 * Parses `npm ls --json --depth=0` into versions by name (a missing
 * dependency, which has no version, is not installed).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseNpmList } from "./npm.ts";
 * deepStrictEqual(
 *   parseNpmList('{"dependencies": {"left-pad": {"version": "1.3.0"}, "gone": {"missing": true}}}'),
 *   { "left-pad": "1.3.0" },
 * );
 * ```
 */
export function parseNpmList(stdout: string): Record<string, string> {
  const parsed = JSON.parse(stdout.trim() || "{}") as {
    dependencies?: Record<string, { version?: string; missing?: boolean }>;
  };
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(parsed.dependencies ?? {})) {
    if (typeof entry.version === "string" && !entry.missing) out[name] = entry.version;
  }
  return out;
}

/** Installed top-level packages by name with their versions, in `dir` (else the global ones). */
export const packages: FactDefinition<[string?], Record<string, string>> = {
  name: "npm.packages",
  signature: {
    params: "dir?: string",
    returns: "Record<string, string>",
    description:
      "installed top-level npm packages, name → version, in `dir` (else the global ones)",
  },
  command: (...args) => npmListCommand(args[0]),
  parse: (stdout) => parseNpmList(stdout),
};
