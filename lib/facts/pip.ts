/**
 * Python package facts: the distributions installed in a virtual
 * environment (or for the host's `python3`), as `pip list` reports them.
 *
 * @module
 */

import { type Command, sh } from "../core/command.ts";
import type { FactDefinition } from "./fact.ts";

/**
 * A distribution name as PEP 503 normalises it: lower case, runs of `-`,
 * `_` and `.` as one `-`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { normalizeName } from "./pip.ts";
 * strictEqual(normalizeName("Skiff_Tiny.Ext"), "skiff-tiny-ext");
 * ```
 */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** The python of a virtual environment (`VENV/bin/python`), or the host's `python3`. */
export function pythonOf(venv?: string): string {
  return venv === undefined ? "python3" : `${venv.replace(/\/+$/, "")}/bin/python`;
}

/** `python -m pip` with its version check off, for `venv` (or the host's python3). */
export function pipCommand(venv?: string): Command {
  return sh`${pythonOf(venv)} -m pip --disable-pip-version-check`;
}

/**
 * Parses `pip list --format=json` into versions by normalised name.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parsePipList } from "./pip.ts";
 * deepStrictEqual(parsePipList('[{"name": "Flask", "version": "3.0.0"}]'), { flask: "3.0.0" });
 * ```
 */
export function parsePipList(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  const list = JSON.parse(stdout.trim() || "[]") as { name: string; version: string }[];
  for (const { name, version } of list) out[normalizeName(name)] = version;
  return out;
}

/** Installed distributions by normalised name with their versions, in `venv` (else for python3). */
export const packages: FactDefinition<[string?], Record<string, string>> = {
  name: "pip.packages",
  signature: {
    params: "venv?: string",
    returns: "Record<string, string>",
    description:
      "installed Python distributions by normalised name, name → version, in `venv` (else the host's python3)",
  },
  command: (...args) => sh`${pipCommand(args[0])} list --format=json`,
  parse: (stdout) => parsePipList(stdout),
};
