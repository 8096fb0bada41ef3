/**
 * One definition per operation: name, parameters and options with their
 * schemas, defaults and docs, a one-line description, an example, what it
 * acts on, what it may change, and its run. The registry, the deploy API's
 * types (`lib/api/operations.ts`, written by `deno task gen`), the README
 * table and `skiff ops` are all derived from these.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import type { OperationSpec } from "./operation_spec.ts";
import type { Schema } from "./op_schema.ts";

/** A positional parameter. */
export interface ParamSpec {
  /** Its name in signatures (`src`, `dest`, `path`). */
  readonly name: string;
  /** Its type. */
  readonly schema: Schema;
  /** What it is, one line. */
  readonly doc: string;
  /** It may be left out (a link's target when it is removed). */
  readonly optional?: boolean;
  /**
   * The run gets it as this option rather than as a positional argument
   * (`server.user("deploy", opts)` runs with `{ name: "deploy", ...opts }`).
   */
  readonly into?: string;
}

/** An option (a key of the options object). */
export interface OptionSpec {
  /** Its type. */
  readonly schema: Schema;
  /** What it does, one line. */
  readonly doc: string;
  /** The value it has when not given, as shown (the run applies it). */
  readonly default?: unknown;
  /** The call is refused without it. */
  readonly required?: boolean;
}

/** What a definition gives besides its {@linkcode OperationSpec} parts. */
export interface OpDefinitionInput extends Omit<OperationSpec, "positional" | "options"> {
  /** Dotted name, `files.put`. */
  readonly name: string;
  /** One line: what it does (the README table and `skiff ops`). */
  readonly description: string;
  /** More prose for the API docs and `skiff ops NAME`. */
  readonly details?: string;
  /** The positional parameters, subject first. */
  readonly params: readonly ParamSpec[];
  /** The options by key. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** The name of the options type in the deploy API, when deploys may import it. */
  readonly optionsType?: string;
  /** A call as a deploy writes it, starting `ops.`. */
  readonly example: string;
}

/** An operation's definition: its spec for the dispatcher and its documentation. */
export interface OpDefinition
  extends OperationSpec, Omit<OpDefinitionInput, "options" | keyof OperationSpec> {
  /** Options by key. */
  readonly optionSpecs: Readonly<Record<string, OptionSpec>>;
}

/**
 * Makes an operation's definition: the dispatcher's spec (positional count,
 * option names) follows from its parameters and options.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { defineOp } from "./define_op.ts";
 * import { BOOLEAN, STRING } from "./op_schema.ts";
 * const op = defineOp({
 *   name: "demo.touch",
 *   description: "touches a file",
 *   params: [{ name: "path", schema: STRING, doc: "the file" }],
 *   options: { quiet: { schema: BOOLEAN, doc: "say nothing", default: false } },
 *   example: 'ops.demo.touch("/tmp/x")',
 *   run: () => Promise.reject(new Error("not run here")),
 * });
 * deepStrictEqual([op.positional, op.options], [1, ["quiet"]]);
 * ```
 */
export function defineOp(input: OpDefinitionInput): OpDefinition {
  const { options, ...rest } = input;
  return {
    ...rest,
    positional: input.params.length,
    options: Object.keys(options),
    optionSpecs: options,
  };
}

/**
 * Checks a split call against its definition: every positional parameter and
 * every given option has its type, and required options are there. Throws an
 * InputError naming the operation and the argument.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkCall, defineOp } from "./define_op.ts";
 * import { NUMBER, STRING } from "./op_schema.ts";
 * const op = defineOp({
 *   name: "demo.wait",
 *   description: "waits",
 *   params: [{ name: "path", schema: STRING, doc: "the file" }],
 *   options: { timeout: { schema: NUMBER, doc: "seconds" } },
 *   example: 'ops.demo.wait("/tmp/x")',
 *   run: () => Promise.reject(new Error("not run here")),
 * });
 * checkCall(op, { positional: ["/tmp/x"], options: { timeout: 5 } });
 * throws(() => checkCall(op, { positional: ["/tmp/x"], options: { timeout: "5" } }), {
 *   message: 'demo.wait: option "timeout" must be a number, got "5"',
 * });
 * ```
 */
export function checkCall(
  definition: OpDefinition,
  call: { positional: readonly unknown[]; options: Readonly<Record<string, unknown>> },
): void {
  for (const [index, param] of definition.params.entries()) {
    const value = call.positional[index];
    if (param.into && isPlainObject(value) && !param.schema.check(value)) {
      throw new InputError(
        `${definition.name}: the ${param.name} comes first, then the options: ${definition.example}`,
      );
    }
    if (value === undefined) {
      if (param.optional) continue;
      throw new InputError(
        `${definition.name}: argument ${index + 1} (${param.name}) is missing: ${
          signatureOf(definition)
        }`,
      );
    }
    if (!param.schema.check(value)) {
      throw new InputError(
        `${definition.name}: argument ${
          index + 1
        } (${param.name}) must be ${param.schema.expected}, got ${shown(value)}`,
      );
    }
  }
  for (const [key, option] of Object.entries(definition.optionSpecs)) {
    const value = call.options[key];
    if (value === undefined) {
      if (option.required) {
        throw new InputError(`${definition.name}: option "${key}" is required`);
      }
    } else if (!option.schema.check(value)) {
      throw new InputError(
        `${definition.name}: option "${key}" must be ${option.schema.expected}, got ${
          shown(value)
        }`,
      );
    }
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A checked call as the run takes it: parameters with `into` moved into the
 * options, the others left positional.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { defineOp, foldCall } from "./define_op.ts";
 * import { BOOLEAN, STRING } from "./op_schema.ts";
 * const op = defineOp({
 *   name: "demo.user",
 *   description: "a user",
 *   params: [{ name: "name", schema: STRING, doc: "login", into: "name" }],
 *   options: { system: { schema: BOOLEAN, doc: "system account" } },
 *   example: 'ops.demo.user("deploy")',
 *   run: () => Promise.reject(new Error("not run here")),
 * });
 * deepStrictEqual(
 *   foldCall(op, { positional: ["deploy"], options: { system: true }, control: {} }),
 *   { positional: [], options: { system: true, name: "deploy" }, control: {} },
 * );
 * ```
 */
export function foldCall<C extends { positional: unknown[]; options: Record<string, unknown> }>(
  definition: OpDefinition,
  call: C,
): C {
  if (!definition.params.some((param) => param.into)) return call;
  const positional: unknown[] = [];
  const options = { ...call.options };
  for (const [index, param] of definition.params.entries()) {
    if (param.into) options[param.into] = call.positional[index];
    else positional.push(call.positional[index]);
  }
  return { ...call, positional, options };
}

/**
 * The options a run gets: every declared default, then what the call gave,
 * so the defaults the docs show are the ones that apply.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { defineOp, withDefaults } from "./define_op.ts";
 * import { BOOLEAN, NUMBER } from "./op_schema.ts";
 * const op = defineOp({
 *   name: "demo.wait",
 *   description: "waits",
 *   params: [],
 *   options: {
 *     timeout: { schema: NUMBER, doc: "seconds", default: 60 },
 *     quiet: { schema: BOOLEAN, doc: "say nothing" },
 *   },
 *   example: "ops.demo.wait()",
 *   run: () => Promise.reject(new Error("not run here")),
 * });
 * deepStrictEqual(withDefaults(op, { positional: [], options: { quiet: true } }).options, {
 *   quiet: true,
 *   timeout: 60,
 * });
 * ```
 */
export function withDefaults<C extends { options: Record<string, unknown> }>(
  definition: OpDefinition,
  call: C,
): C {
  const defaults = Object.entries(definition.optionSpecs)
    .filter(([key, option]) => option.default !== undefined && call.options[key] === undefined)
    .map(([key, option]) => [key, option.default]);
  return defaults.length === 0
    ? call
    : { ...call, options: { ...call.options, ...Object.fromEntries(defaults) } };
}

/** A value as an error shows it: short, and never a secret's text (secrets pass every check that takes them). */
function shown(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

/**
 * The short signature of an operation: `files.put(src, dest, {mode, user, …})`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { defineOp, signatureOf } from "./define_op.ts";
 * import { BOOLEAN, STRING } from "./op_schema.ts";
 * const op = defineOp({
 *   name: "demo.touch",
 *   description: "touches a file",
 *   params: [{ name: "path", schema: STRING, doc: "the file" }],
 *   options: { quiet: { schema: BOOLEAN, doc: "say nothing" } },
 *   example: 'ops.demo.touch("/tmp/x")',
 *   run: () => Promise.reject(new Error("not run here")),
 * });
 * strictEqual(signatureOf(op), "demo.touch(path, {quiet})");
 * ```
 */
export function signatureOf(definition: OpDefinition): string {
  const keys = Object.keys(definition.optionSpecs);
  const parts = [
    ...definition.params.map((param) => param.name),
    ...(keys.length > 0 ? [`{${keys.join(", ")}}`] : []),
  ];
  return `${definition.name}(${parts.join(", ")})`;
}

/**
 * A definition for an operation still written in the older table form
 * (`{ positional, options: [names], run, … }`): its parameters and options
 * take any value (the run checks them) and show as `unknown` in the deploy
 * API until it is converted to a {@linkcode defineOp} with schemas.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { fromSpec, signatureOf } from "./define_op.ts";
 * const op = fromSpec("demo.mount", {
 *   positional: 1,
 *   options: ["device", "fstype"],
 *   run: () => Promise.reject(new Error("not run here")),
 * }, "mounts a file system");
 * deepStrictEqual(signatureOf(op), "demo.mount(arg1, {device, fstype})");
 * ```
 */
export function fromSpec(name: string, spec: OperationSpec, description: string): OpDefinition {
  const any = { ts: "unknown", expected: "anything", check: () => true };
  return defineOp({
    ...spec,
    name,
    description,
    params: Array.from({ length: spec.positional }, (_, i) => ({
      name: `arg${i + 1}`,
      schema: any,
      doc: "(not yet described)",
    })),
    options: Object.fromEntries(
      spec.options.map((key) => [key, { schema: any, doc: "(not yet described)" }]),
    ),
    example: `ops.${name}(…)`,
  });
}
