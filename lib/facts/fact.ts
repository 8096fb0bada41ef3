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
  /** How a deploy calls it, for the deploy API's `Facts` and `skiff ops`. */
  readonly signature: FactSignature;
}

/** A fact's signature as deploys see it. */
export interface FactSignature {
  /** Its parameters in TypeScript, `path: string` (empty: none). */
  readonly params: string;
  /** The TypeScript type of its value. */
  readonly returns: string;
  /** One line: what it is. */
  readonly description: string;
}

/** A fact could not be gathered. */
export class FactError extends Error {
  /** Creates a fact error. */
  constructor(message: string) {
    super(message);
    this.name = "FactError";
  }
}

/**
 * A fact's value from its command's result, or the FactError that says why
 * there is none (127: not available; another exit code: failed, with
 * `where.failure()` explaining the command).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { factValue } from "./fact.ts";
 * const fact = {
 *   name: "n",
 *   signature: { params: "", returns: "string", description: "the node name" },
 *   command: () => "uname -n",
 *   parse: (out: string) => out.trim(),
 * };
 * const result = { exitCode: 0, output: { stdout: "web1\n", stderr: "" } };
 * strictEqual(factValue(fact, [], result, { host: "h", failure: () => "" }), "web1");
 * ```
 */
export function factValue<A extends unknown[], T>(
  definition: FactDefinition<A, T>,
  args: A,
  result: { exitCode: number | null; output: { stdout: string; stderr: string } },
  where: { host: string; failure: () => string },
): T {
  const codes = definition.successCodes ?? [0];
  if (result.exitCode === 127) {
    throw new FactError(
      `Fact ${definition.name} is not available on ${where.host}: command not found (${result.output.stderr.trim()})`,
    );
  }
  if (result.exitCode === null || !codes.includes(result.exitCode)) {
    throw new FactError(`Fact ${definition.name} failed on ${where.host}: ${where.failure()}`);
  }
  return definition.parse(result.output.stdout, result.exitCode, ...args);
}
