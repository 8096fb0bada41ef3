/**
 * DataMeta: self-documenting data keys with defaults and types, shared by
 * connectors and control arguments.
 *
 * @module
 */

import { RawValue, SecretValue } from "./command.ts";
import { InputError } from "./errors.ts";

/** The value types a data key may declare. */
export type DataType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "string[]"
  | "integer[]"
  | "string-map"
  | "any";

/** Documentation, default and type of one data key. */
export interface DataMeta {
  /** One line saying what the key does. */
  readonly description: string;
  /** The value used when the key is absent. */
  readonly default?: unknown;
  /** The expected type; values of another type are an input error. */
  readonly type?: DataType;
  /** Allowed values, for string keys with a fixed set. */
  readonly choices?: readonly string[];
  /** The value is masked in every output. */
  readonly secret?: boolean;
  /** `null` is an accepted value (for example `_shell_executable: null`). */
  readonly nullable?: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Checks `value` against `meta`, returning it (secrets unwrapped) or throwing
 * an InputError that names `key`. Text that spells a number or boolean
 * exactly is accepted for such keys (values from `!env` are always text).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { checkDataValue } from "./data_meta.ts";
 * deepStrictEqual(checkDataValue("ssh_port", 22, { description: "port", type: "integer" }), 22);
 * deepStrictEqual(checkDataValue("ssh_port", "2222", { description: "port", type: "integer" }), 2222);
 * ```
 */
export function checkDataValue(key: string, value: unknown, meta: DataMeta): unknown {
  if (value instanceof SecretValue) {
    checkDataValue(key, value.reveal(), meta);
    return value;
  }
  if (value === null && meta.nullable) return null;
  const type = meta.type ?? "any";
  const fail = (expected: string): never => {
    throw new InputError(`${key}: expected ${expected}, got ${describeValue(value)}`);
  };
  switch (type) {
    case "string":
      if (typeof value !== "string") fail("a string");
      if (meta.choices && !meta.choices.includes(value as string)) {
        fail(`one of ${meta.choices.map((c) => JSON.stringify(c)).join(", ")}`);
      }
      break;
    // Text that spells the value exactly (as `!env` gives it) is taken as that value.
    case "integer":
      if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) return Number(value);
      if (typeof value !== "number" || !Number.isInteger(value)) fail("an integer");
      break;
    case "number":
      if (typeof value === "string" && NUMBER.test(value.trim())) return Number(value);
      if (typeof value !== "number" || Number.isNaN(value)) fail("a number");
      break;
    case "boolean":
      if (value === "true" || value === "false") return value === "true";
      if (typeof value !== "boolean") fail("a boolean (true or false)");
      break;
    case "string[]":
      if (typeof value === "string") return [value];
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        fail("a list of strings");
      }
      break;
    case "integer[]":
      if (typeof value === "number" && Number.isInteger(value)) return [value];
      if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v))) {
        fail("a list of integers");
      }
      break;
    case "string-map":
      if (
        typeof value !== "object" || value === null || Array.isArray(value) ||
        Object.values(value).some((v) =>
          !["string", "number", "boolean"].includes(typeof v) && !(v instanceof SecretValue) &&
          !(v instanceof RawValue)
        )
      ) fail("a map of strings");
      break;
    case "any":
      break;
  }
  return value;
}

/** A short, safe description of a value for error messages (strings quoted, secrets masked). */
export function describeValue(value: unknown): string {
  if (value instanceof SecretValue) return "a secret";
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  return "a map";
}

/**
 * Edit distance between two strings, for "did you mean" hints.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { editDistance } from "./data_meta.ts";
 * deepStrictEqual(editDistance("ssh_prot", "ssh_port"), 2);
 * ```
 */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length];
}

/**
 * The closest candidate to `word`, when it is close enough to be a typo.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { didYouMean } from "./data_meta.ts";
 * deepStrictEqual(didYouMean("ssh_prot", ["ssh_port", "ssh_user"]), "ssh_port");
 * ```
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)` or an empty string. */
export function hint(word: string, candidates: Iterable<string>): string {
  const match = didYouMean(word, candidates);
  return match === undefined ? "" : ` (did you mean "${match}"?)`;
}
