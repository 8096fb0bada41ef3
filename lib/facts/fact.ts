/**
 * Facts are `{command, parse}` pairs: the command gathers, the pure parser
 * turns its output into a value.
 *
 * @module
 */

import type { Command } from "../core/command.ts";

/** One kind of fact. */
export interface FactDefinition<A extends unknown[] = unknown[], T = unknown> {
  /** Dotted name, for example `server.os`. */
  readonly name: string;
  /** The command that gathers it. */
  command(...args: A): Command | string;
  /** Turns the command's stdout (and exit code) into the value. */
  parse(stdout: string, exitCode: number, ...args: A): T;
  /** The command is the operator's own text: it gets a shell of its own. */
  readonly ownShell?: boolean;
  /** Exit codes that mean "gathered" (default [0]). */
  readonly successCodes?: readonly number[];
}

/** A fact could not be gathered. */
export class FactError extends Error {
  /** Creates a fact error. */
  constructor(message: string) {
    super(message);
    this.name = "FactError";
  }
}
