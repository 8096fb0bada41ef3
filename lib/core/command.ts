/**
 * Commands as values: literal, quoted and secret bits that stay apart until a
 * connector runs them.
 *
 * ```ts
 * import { secret, sh } from "./command.ts";
 * const cmd = sh`mysql -p${secret("hunter2")} -e ${"select 1"}`;
 * cmd.renderMasked(); // "mysql -p*** -e 'select 1'"
 * ```
 *
 * @module
 */

import type { Interpolation as ApiInterpolation } from "../api/values.ts";

/** One piece of a command line. `depth` counts the shell quoting levels a secret sits under. */
export type Bit =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "secret"; readonly text: string; readonly depth: number };

/** A value interpolated verbatim, without quoting. Made by {@linkcode raw}. */
export class RawValue {
  /** The text inserted as it is. */
  readonly text: string;
  /** Wraps `text` so it is inserted unquoted. */
  constructor(text: string) {
    this.text = text;
  }
}

/** A value that is never shown: rendered as `***` wherever a person or a log can see it. */
export class SecretValue {
  readonly #value: string;
  /** Wraps a secret string. */
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret itself, for the code that must use it. */
  reveal(): string {
    return this.#value;
  }
  /** Always `***`, so accidental printing shows nothing. */
  toString(): string {
    return MASK;
  }
  /** Always `"***"` in JSON. */
  toJSON(): string {
    return MASK;
  }
  /** Deno's console shows `***` too. */
  [Symbol.for("Deno.customInspect")](): string {
    return MASK;
  }
}

/** What a masked secret looks like. */
export const MASK = "***";

/**
 * Another host's secret as `ctx.inventory` shows it: only a marker. It cannot
 * be revealed, interpolated into a command or passed to an operation.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { MaskedSecret } from "./command.ts";
 * deepStrictEqual(String(new MaskedSecret("db1")), "***");
 * ```
 */
export class MaskedSecret {
  /** The host whose secret this stands for. */
  readonly host: string;
  /** Marks a secret of `host`. */
  constructor(host: string) {
    this.host = host;
  }
  /** Always `***`. */
  toString(): string {
    return MASK;
  }
  /** Always `"***"` in JSON. */
  toJSON(): string {
    return MASK;
  }
  /** Deno's console shows `***` too. */
  [Symbol.for("Deno.customInspect")](): string {
    return MASK;
  }
}

const SAFE = /^[A-Za-z0-9@%+=:,./_-]+$/;

/**
 * POSIX single-quotes `text` for sh, dash and busybox ash; text made only of
 * safe characters stays bare.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { quote } from "./command.ts";
 * deepStrictEqual(quote("it's"), "'it'\"'\"'s'");
 * ```
 */
export function quote(text: string): string {
  if (text === "") return "''";
  if (SAFE.test(text)) return text;
  return `'${text.replaceAll("'", `'"'"'`)}'`;
}

/** Escapes text for the inside of a single-quoted string. */
function escapeInQuotes(text: string): string {
  return text.replaceAll("'", `'"'"'`);
}

/** Marks `text` to be interpolated without quoting. */
export function raw(text: string): RawValue {
  return new RawValue(text);
}

/** Marks `value` as secret: masked in output and kept out of every argv. */
export function secret(value: string): SecretValue {
  return new SecretValue(value);
}

/** A value `sh` accepts in an interpolation (the shape lib/api declares, with these classes). */
export type Interpolation = ApiInterpolation<RawValue, SecretValue, Command>;

/** What {@linkcode Command.renderForExec} hands a connector. */
export interface ExecForm {
  /** The command line with every secret replaced by a reference to an environment variable. */
  readonly text: string;
  /** Environment variables holding the secrets, to pass outside any argv. */
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** The prefix of environment variables that carry secrets into a command. */
export const SECRET_ENV_PREFIX = "SKIFF_SECRET_";

/** A shell command made of literal and secret bits. Immutable. */
export class Command {
  /** The bits in order. */
  readonly bits: readonly Bit[];

  /** Builds a command from bits; adjacent literals are merged. */
  constructor(bits: readonly Bit[] = []) {
    const merged: Bit[] = [];
    for (const bit of bits) {
      const last = merged.at(-1);
      if (bit.kind === "literal" && last?.kind === "literal") {
        merged[merged.length - 1] = { kind: "literal", text: last.text + bit.text };
      } else if (bit.kind !== "literal" || bit.text !== "") {
        merged.push(bit);
      }
    }
    this.bits = merged;
  }

  /** A command of literal text only. */
  static of(text: string): Command {
    return new Command([{ kind: "literal", text }]);
  }

  /** Joins commands and strings with `separator` (default one space). */
  static join(parts: readonly (Command | string)[], separator = " "): Command {
    const bits: Bit[] = [];
    parts.forEach((part, index) => {
      if (index > 0) bits.push({ kind: "literal", text: separator });
      bits.push(...toCommand(part).bits);
    });
    return new Command(bits);
  }

  /** True when any bit is secret. */
  get hasSecrets(): boolean {
    return this.bits.some((bit) => bit.kind === "secret");
  }

  /** The secret values in order of appearance. */
  get secrets(): string[] {
    return this.bits.flatMap((bit) => bit.kind === "secret" ? [bit.text] : []);
  }

  /**
   * This command as one single-quoted shell word (quoting every bit), so it
   * can be passed to `sh -c`. Secrets stay secret bits, one level deeper.
   */
  quoted(): Command {
    if (!this.hasSecrets) return Command.of(quote(this.render()));
    const bits: Bit[] = [{ kind: "literal", text: "'" }];
    for (const bit of this.bits) {
      if (bit.kind === "literal") bits.push({ kind: "literal", text: escapeInQuotes(bit.text) });
      else bits.push({ ...bit, depth: bit.depth + 1 });
    }
    bits.push({ kind: "literal", text: "'" });
    return new Command(bits);
  }

  /** The full command with secrets inlined: only for channels nobody else sees. */
  render(): string {
    return this.bits.map((bit) => bit.kind === "literal" ? bit.text : renderSecret(bit)).join(
      "",
    );
  }

  /** The command as shown to people and logs: secrets become `***`. */
  renderMasked(): string {
    return this.bits.map((bit) => bit.kind === "literal" ? bit.text : MASK).join("");
  }

  /**
   * The command for execution: each secret becomes a reference to an
   * environment variable (`"$SKIFF_SECRET_0"`), escaped for its quoting depth,
   * and the values come back apart in `secretEnv`.
   */
  renderForExec(): ExecForm {
    const secretEnv: Record<string, string> = {};
    let index = 0;
    const text = this.bits.map((bit) => {
      if (bit.kind === "literal") return bit.text;
      const name = `${SECRET_ENV_PREFIX}${index++}`;
      secretEnv[name] = bit.text;
      return escapeDepth(`"$${name}"`, bit.depth);
    }).join("");
    return { text, secretEnv };
  }

  /** Masked text, so string conversion never leaks a secret. */
  toString(): string {
    return this.renderMasked();
  }

  /** Masked text in JSON. */
  toJSON(): string {
    return this.renderMasked();
  }
}

function renderSecret(bit: { text: string; depth: number }): string {
  return escapeDepth(quote(bit.text), bit.depth);
}

function escapeDepth(text: string, depth: number): string {
  let out = text;
  for (let level = 0; level < depth; level++) out = escapeInQuotes(out);
  return out;
}

/** Turns a string (literal text) or a Command into a Command. */
export function toCommand(value: Command | string): Command {
  return typeof value === "string" ? Command.of(value) : value;
}

function interpolate(value: unknown): Bit[] {
  if (value instanceof RawValue) return [{ kind: "literal", text: value.text }];
  if (value instanceof SecretValue) return [{ kind: "secret", text: value.reveal(), depth: 0 }];
  if (value instanceof Command) return [...value.bits];
  if (value instanceof MaskedSecret) {
    throw new TypeError(`Cannot use a secret of host "${value.host}" in a command on another host`);
  }
  if (typeof value === "string") return [{ kind: "literal", text: quote(value) }];
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return [{ kind: "literal", text: quote(String(value)) }];
  }
  if (Array.isArray(value)) {
    const bits: Bit[] = [];
    value.forEach((item, index) => {
      if (Array.isArray(item)) {
        throw new TypeError("Cannot interpolate a nested array into a command");
      }
      if (index > 0) bits.push({ kind: "literal", text: " " });
      bits.push(...interpolate(item));
    });
    return bits;
  }
  if (
    value instanceof Promise || (typeof value === "object" && value !== null && "then" in value)
  ) {
    throw new TypeError("Cannot interpolate a Promise into a command: await it first");
  }
  throw new TypeError(`Cannot interpolate ${describe(value)} into a command`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value}`;
}

/**
 * Tagged template for shell commands: every interpolation is single-quoted,
 * arrays become one argument per item, `raw()` opts out and `secret()` masks.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { sh } from "./command.ts";
 * deepStrictEqual(sh`rm -f ${["a b", "c"]}`.render(), "rm -f 'a b' c");
 * ```
 */
export function sh(strings: TemplateStringsArray, ...values: Interpolation[]): Command {
  const bits: Bit[] = [];
  strings.forEach((text, index) => {
    bits.push({ kind: "literal", text });
    if (index < values.length) bits.push(...interpolate(values[index]));
  });
  return new Command(bits);
}
