/**
 * The small schema vocabulary of operation parameters and options: each
 * schema checks a value at call time and names its TypeScript type, so one
 * definition both validates a deploy's call and writes the deploy API's
 * types (`skiff types`, `skiff ops`).
 *
 * @module
 */

import { SecretValue } from "../core/command.ts";

/** One parameter or option type. */
export interface Schema {
  /** The TypeScript type deploy authors see, for example `string | string[]`. */
  readonly ts: string;
  /** What a wrong value should have been, for errors: `a string`. */
  readonly expected: string;
  /** Whether a value (never undefined) fits. */
  readonly check: (value: unknown) => boolean;
}

const isString = (value: unknown) => typeof value === "string";
const isSecretLike = (value: unknown) => value instanceof SecretValue;

/**
 * A schema from its parts.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { schema } from "./op_schema.ts";
 * const even = schema("number", "an even number", (v) => typeof v === "number" && v % 2 === 0);
 * strictEqual(even.check(4), true);
 * strictEqual(even.check(3), false);
 * ```
 */
export function schema(ts: string, expected: string, check: (value: unknown) => boolean): Schema {
  return { ts, expected, check };
}

/** A string. */
export const STRING: Schema = schema("string", "a string", isString);
/** A string, or a secret that stands for one. */
export const SECRET_STRING: Schema = schema(
  "string | SecretValue",
  "a string or a secret",
  (v) => isString(v) || isSecretLike(v),
);
/** A finite number. */
export const NUMBER: Schema = schema(
  "number",
  "a number",
  (v) => typeof v === "number" && Number.isFinite(v),
);
/** A boolean. */
export const BOOLEAN: Schema = schema("boolean", "true or false", (v) => typeof v === "boolean");
/** A list of strings. */
export const STRINGS: Schema = schema(
  "string[]",
  "a list of strings",
  (v) => Array.isArray(v) && v.every(isString),
);
/** One string or a list of them. */
export const STRING_OR_STRINGS: Schema = schema(
  "string | string[]",
  "a string or a list of strings",
  (v) => isString(v) || STRINGS.check(v),
);
/** A string or a number (cron fields, sysctl values). */
export const STRING_OR_NUMBER: Schema = schema(
  "string | number",
  "a string or a number",
  (v) => isString(v) || NUMBER.check(v),
);

/**
 * A plain object whose values fit `values` (or anything, without it).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { record, STRING } from "./op_schema.ts";
 * strictEqual(record(STRING).ts, "Record<string, string>");
 * strictEqual(record(STRING).check({ a: 1 }), false);
 * ```
 */
export function record(values?: Schema): Schema {
  return schema(
    `Record<string, ${values?.ts ?? "unknown"}>`,
    values ? `an object of ${values.ts} values` : "an object",
    (v) =>
      typeof v === "object" && v !== null && !Array.isArray(v) &&
      (!values || Object.values(v).every((item) => values.check(item))),
  );
}

/**
 * One of the given schemas.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { either, NUMBER, STRING } from "./op_schema.ts";
 * strictEqual(either(STRING, NUMBER).ts, "string | number");
 * ```
 */
export function either(...schemas: Schema[]): Schema {
  return schema(
    schemas.map((s) => s.ts).join(" | "),
    schemas.map((s) => s.expected).join(" or "),
    (v) => schemas.some((s) => s.check(v)),
  );
}

/**
 * A plain object (`{ content }`), checked by the operation itself, with its
 * TypeScript type as given.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { object } from "./op_schema.ts";
 * strictEqual(object("{ content: string }").check("x"), false);
 * ```
 */
export function object(ts: string): Schema {
  return schema(
    ts,
    `an object ${ts}`,
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  );
}

/**
 * Any value the operation checks itself (a command, a RegExp), with its
 * TypeScript type as given.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { opaque } from "./op_schema.ts";
 * strictEqual(opaque("string | RegExp").check(/x/), true);
 * ```
 */
export function opaque(ts: string): Schema {
  return schema(ts, ts, () => true);
}
