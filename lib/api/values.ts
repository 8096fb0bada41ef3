/**
 * The command values a deploy handles: secrets, raw text and `sh` commands,
 * as the deploy sees them (the classes that implement them live in lib/core).
 *
 * ```ts
 * import type { Command } from "./values.ts";
 * function shown(command: Command): string {
 *   return command.hasSecrets ? command.renderMasked() : command.render();
 * }
 * shown({ hasSecrets: false, render: () => "ls", renderMasked: () => "ls" }); // "ls"
 * ```
 *
 * @module
 */

/** A value masked as `***` in every output. Made by `ctx.secret(value)`. */
export interface SecretValue {
  /** The secret itself, for the code that must use it. */
  reveal(): string;
  /** Always `***`, so accidental printing shows nothing. */
  toString(): string;
}

/**
 * Another host's secret as `ctx.inventory` shows it: `***`, never the value.
 * It cannot be interpolated into a command or passed to an operation.
 */
export interface MaskedSecret {
  /** The host whose secret this stands for. */
  readonly host: string;
  /** Always `***`. */
  toString(): string;
}

/** A value interpolated into a command without quoting. */
export interface RawValue {
  /** The text inserted as it is. */
  readonly text: string;
}

/** A shell command made of literal and secret parts. Made by `ctx.sh`. */
export interface Command {
  /** True when any part is secret. */
  readonly hasSecrets: boolean;
  /** The command line with secrets in clear, for execution only. */
  render(): string;
  /** The command line with every secret shown as `***`. */
  renderMasked(): string;
}

/**
 * What the `sh` tagged template accepts: arrays become one quoted argument per
 * item. (lib/core fills the parameters with its own classes.)
 */
export type Interpolation<Raw = RawValue, Secret = SecretValue, Cmd = Command> =
  | string
  | number
  | bigint
  | boolean
  | Raw
  | Secret
  | Cmd
  | readonly (string | number | Raw | Secret | Cmd)[];

/** Bytes, text or lines written to a command's standard input. */
export type StdinValue = string | Uint8Array | readonly string[];
