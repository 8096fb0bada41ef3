/**
 * The connector kit: everything a connector module needs, handed to it by
 * skiff so the module imports nothing (an operator with only the binary has
 * no skiff files to import). A connector module's default export may be a
 * function that receives the kit and returns the connector class:
 *
 * ```ts
 * import { CONNECTOR_KIT } from "./kit.ts";
 * const makeMine = (kit: typeof CONNECTOR_KIT) =>
 *   class Mine extends kit.BaseConnector {
 *     static override connectorName = "mine";
 *     static *makeNamesData(arg: string | undefined) {
 *       yield { name: `@mine/${arg}`, data: {}, groups: ["@mine"] };
 *     }
 *     override runShellCommand() {
 *       return Promise.resolve({ success: true, exitCode: 0, output: new kit.CommandOutput() });
 *     }
 *     override putFile() {
 *       return Promise.resolve(true);
 *     }
 *     override getFile() {
 *       return Promise.resolve(true);
 *     }
 *   };
 * makeMine(CONNECTOR_KIT).connectorName; // "mine"
 * ```
 *
 * @module
 */

import { BaseConnector, type ConnectorClass } from "./base.ts";
import { extractControlArguments } from "../lib/core/arguments.ts";
import { Command, raw, secret, sh } from "../lib/core/command.ts";
import { ConnectError } from "../lib/core/errors.ts";
import { CommandOutput } from "../lib/core/output.ts";
import { makeUnixCommand } from "../lib/core/unix_command.ts";
import { runProcess } from "../lib/process.ts";

/** What a kit-form connector module receives. */
export interface ConnectorKitValues {
  /** The base class every connector extends. */
  readonly BaseConnector: typeof BaseConnector;
  /** Thrown by `connect()` when the host cannot be reached. */
  readonly ConnectError: typeof ConnectError;
  /** Splits run options into what the connector handles and what shapes the command line. */
  readonly extractControlArguments: typeof extractControlArguments;
  /** Wraps a command with `_sudo`, `_env`, `_chdir` … as one POSIX command line. */
  readonly makeUnixCommand: typeof makeUnixCommand;
  /** The quoting `sh` tagged template. */
  readonly sh: typeof sh;
  /** Text interpolated into `sh` without quoting. */
  readonly raw: typeof raw;
  /** A value masked as `***` wherever it is shown. */
  readonly secret: typeof secret;
  /** The command value class (`Command.of`, `Command.join`). */
  readonly Command: typeof Command;
  /** The output of a command, as `runShellCommand` returns it. */
  readonly CommandOutput: typeof CommandOutput;
  /** The one local process runner: own process group, `timeout` kills the whole group. */
  readonly runProcess: typeof runProcess;
}

/**
 * The kit itself, frozen: one value shared by every module.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { CONNECTOR_KIT } from "./kit.ts";
 * deepStrictEqual(CONNECTOR_KIT.sh`echo ${"a b"}`.render(), "echo 'a b'");
 * ```
 */
export const CONNECTOR_KIT: ConnectorKitValues = Object.freeze({
  BaseConnector,
  ConnectError,
  extractControlArguments,
  makeUnixCommand,
  sh,
  raw,
  secret,
  Command,
  CommandOutput,
  runProcess,
});

/**
 * True for a connector class: a function with a string `connectorName` and a
 * `makeNamesData` function (statics every `BaseConnector` subclass has).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { isConnectorClass } from "./kit.ts";
 * deepStrictEqual(isConnectorClass(class { static connectorName = "x"; static makeNamesData() {} }), true);
 * deepStrictEqual(isConnectorClass(() => null), false);
 * ```
 */
export function isConnectorClass(value: unknown): value is ConnectorClass {
  return typeof value === "function" &&
    typeof (value as { connectorName?: unknown }).connectorName === "string" &&
    typeof (value as { makeNamesData?: unknown }).makeNamesData === "function";
}

/**
 * The connector classes a module provides. Every export that is a connector
 * class counts; a default export that is a function but not a connector class
 * (no static `connectorName`) is the kit form: it is called with the kit and
 * must return a connector class (a TypeError otherwise).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { CONNECTOR_KIT, connectorClassesOf } from "./kit.ts";
 * const make = (kit: typeof CONNECTOR_KIT) =>
 *   class extends kit.BaseConnector {
 *     static override connectorName = "k";
 *     static *makeNamesData() {}
 *     override runShellCommand() {
 *       return Promise.reject(new Error("unused"));
 *     }
 *     override putFile() {
 *       return Promise.resolve(false);
 *     }
 *     override getFile() {
 *       return Promise.resolve(false);
 *     }
 *   };
 * deepStrictEqual((await connectorClassesOf({ default: make })).map((c) => c.connectorName), ["k"]);
 * ```
 */
export async function connectorClassesOf(
  module: Record<string, unknown>,
): Promise<ConnectorClass[]> {
  const classes = Object.values(module).filter(isConnectorClass);
  const made = module.default;
  if (typeof made === "function" && !isConnectorClass(made)) {
    const cls = await (made as (kit: ConnectorKitValues) => unknown)(CONNECTOR_KIT);
    if (!isConnectorClass(cls)) {
      throw new TypeError(
        "its default export is a function of the kit that did not return a connector class (a class extending kit.BaseConnector with a static connectorName)",
      );
    }
    classes.push(cls);
  }
  return classes;
}
