/**
 * Encoding of values that cross the boundary between the sandboxed deploy
 * worker and the main thread: secrets and commands keep their class.
 *
 * @module
 */

import { type Bit, Command, MaskedSecret, SecretValue } from "../core/command.ts";

const SECRET_TAG = "__skiffSecret";
const COMMAND_TAG = "__skiffCommand";
const CALLBACK_TAG = "__skiffCallback";
const MASKED_TAG = "__skiffMasked";

/** A function of the deploy's, called from the main thread by id. */
export type Callback = (...args: unknown[]) => Promise<unknown>;

/** How functions cross: the sender numbers them, the receiver turns numbers back into calls. */
export interface FunctionCodec {
  /** Sender: keeps `fn` and returns its id. Absent: functions are dropped. */
  register?: (fn: (...args: unknown[]) => unknown) => number;
  /** Receiver: a function that calls the sender's function `id`. Absent: left as a tag. */
  callback?: (id: number) => Callback;
  /** Sender: a {@linkcode MaskedSecret} is a TypeError (operation arguments). */
  rejectMasked?: boolean;
}

/**
 * Replaces SecretValue and Command instances with tagged plain objects that
 * survive structured cloning.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { decode, encode } from "./codec.ts";
 * import { secret } from "../core/command.ts";
 * deepStrictEqual((decode(structuredClone(encode({ pw: secret("x") }))) as { pw: { reveal(): string } }).pw.reveal(), "x");
 * ```
 */
export function encode(value: unknown, functions: FunctionCodec = {}): unknown {
  if (typeof value === "function") {
    return functions.register
      ? { [CALLBACK_TAG]: functions.register(value as (...args: unknown[]) => unknown) }
      : undefined;
  }
  if (value instanceof SecretValue) return { [SECRET_TAG]: value.reveal() };
  if (value instanceof Command) return { [COMMAND_TAG]: value.bits };
  if (value instanceof MaskedSecret) {
    if (functions.rejectMasked) {
      throw new TypeError(`Cannot use a secret of host "${value.host}" on another host`);
    }
    return { [MASKED_TAG]: value.host };
  }
  if (Array.isArray(value)) return value.map((item) => encode(item, functions));
  if (value instanceof Uint8Array || value instanceof RegExp || value instanceof Date) return value;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== "function" || functions.register) out[key] = encode(item, functions);
    }
    return out;
  }
  return value;
}

/** Restores what {@linkcode encode} tagged. */
export function decode(value: unknown, functions: FunctionCodec = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => decode(item, functions));
  if (value instanceof Uint8Array || value instanceof RegExp || value instanceof Date) return value;
  if (typeof value === "object" && value !== null) {
    if (SECRET_TAG in value) {
      return new SecretValue(String((value as Record<string, unknown>)[SECRET_TAG]));
    }
    if (COMMAND_TAG in value) {
      return new Command((value as Record<string, unknown>)[COMMAND_TAG] as Bit[]);
    }
    if (MASKED_TAG in value) {
      return new MaskedSecret(String((value as Record<string, unknown>)[MASKED_TAG]));
    }
    if (CALLBACK_TAG in value && functions.callback) {
      return functions.callback(Number((value as Record<string, unknown>)[CALLBACK_TAG]));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = decode(item, functions);
    return out;
  }
  return value;
}
