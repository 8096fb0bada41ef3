/**
 * Parsing of `--data K=V` and `--env K=V` flags.
 *
 * @module
 */

import YAML from "yaml";
import { InputError } from "../core/errors.ts";

/** Where the next KEY=VALUE pair of a comma-separated list starts. */
export const PAIR_START = /,(?=[A-Za-z_][A-Za-z0-9_-]*=)/;

/**
 * Parses repeated `K=V` flags (each may hold several pairs separated by
 * commas) into a map. With `yamlValues`, values are YAML scalars (`22` is a
 * number, `true` a boolean); otherwise strings.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parsePairs } from "./data_flags.ts";
 * deepStrictEqual(parsePairs(["ssh_port=22,ssh_user=deploy"], "--data", true), { ssh_port: 22, ssh_user: "deploy" });
 * ```
 */
export function parsePairs(
  flags: readonly string[],
  flagName: string,
  yamlValues: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of flags) {
    for (const pair of flag.split(PAIR_START)) {
      const index = pair.indexOf("=");
      if (index <= 0) {
        throw new InputError(`${flagName}: expected KEY=VALUE, got ${JSON.stringify(pair)}`);
      }
      const key = pair.slice(0, index).trim();
      const text = pair.slice(index + 1);
      out[key] = yamlValues ? parseScalar(text, flagName, key) : text;
    }
  }
  return out;
}

function parseScalar(text: string, flagName: string, key: string): unknown {
  try {
    const value = YAML.parse(text);
    return value === null && text.trim() === "" ? "" : value;
  } catch (error) {
    throw new InputError(`${flagName} ${key}: ${(error as Error).message.split("\n")[0]}`);
  }
}
