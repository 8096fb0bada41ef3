/**
 * Control arguments (`_sudo`, `_env`, `_timeout`, …): their documentation,
 * types and defaults, validation, the precedence merge, and the split between
 * what a connector handles and what shapes the command line.
 *
 * @module
 */

import type { ControlArguments as DeployControlArguments } from "../api/control.ts";
import type { StdinValue } from "../api/values.ts";
import { type RawValue, SecretValue } from "./command.ts";
import { checkDataValue, type DataMeta, hint } from "./data_meta.ts";
import { InputError } from "./errors.ts";
import { overlay, privilegeOf } from "./privilege.ts";

/** Every control argument, as accepted by operations, host data and the CLI (declared in lib/api). */
export type ControlArguments = DeployControlArguments<SecretValue, RawValue>;
/** Bytes, text or lines written to a command's standard input. */
export type { StdinValue };

/** The name of one control argument. */
export type ControlArgumentName = keyof ControlArguments;

/** Documentation, type and default of every control argument. */
export const CONTROL_ARGUMENTS: Readonly<Record<ControlArgumentName, DataMeta>> = {
  _sudo: { description: "Run the command with sudo", type: "boolean", default: false },
  _sudo_user: { description: "User to sudo to (sudo -u)", type: "string" },
  _use_sudo_login: {
    description: "Use a login shell for sudo (sudo -i)",
    type: "boolean",
    default: false,
  },
  _sudo_password: {
    description: "Password for sudo, passed through an askpass helper, never in argv",
    type: "string",
    secret: true,
  },
  _preserve_sudo_env: {
    description: "Keep the environment under sudo (sudo -E)",
    type: "boolean",
    default: false,
  },
  _su_user: { description: "User to su to", type: "string" },
  _use_su_login: {
    description: "Use a login shell for su (su -l)",
    type: "boolean",
    default: false,
  },
  _preserve_su_env: {
    description: "Keep the environment under su (su -m)",
    type: "boolean",
    default: false,
  },
  _su_shell: { description: "Shell for su to use (su -s)", type: "string" },
  _doas: { description: "Run the command with doas", type: "boolean", default: false },
  _doas_user: { description: "User to doas to (doas -u)", type: "string" },
  _privilege_chain: {
    description:
      'Nest privilege methods explicitly, outer to inner (["doas", "sudo", "su"] is pyinfra\'s stacking)',
    type: "string[]",
  },
  _shell_executable: {
    description: "Shell that wraps the command; null sends the command as it is",
    type: "string",
    nullable: true,
    default: "sh",
  },
  _chdir: { description: "Directory to run the command in", type: "string" },
  _env: {
    description: "Environment variables for the command (values are quoted)",
    type: "string-map",
    default: {},
  },
  _success_exit_codes: {
    description: "Exit codes that count as success",
    type: "integer[]",
    default: [0],
  },
  _timeout: { description: "Seconds before the command is killed", type: "number" },
  _get_pty: {
    description: "Run the command in a pseudo-terminal",
    type: "boolean",
    default: false,
  },
  _stdin: { description: "Text, bytes or lines written to standard input", type: "any" },
  _retries: { description: "Times to retry a failed operation", type: "integer", default: 0 },
  _retry_delay: { description: "Seconds between retries", type: "number", default: 5 },
  _retry_until: {
    description: "Retry again while this function returns true for the output",
    type: "any",
  },
  _ignore_errors: {
    description: "A failure is reported but does not stop the host",
    type: "boolean",
    default: false,
  },
  _continue_on_error: {
    description: "Run the remaining commands of an operation after one fails",
    type: "boolean",
    default: false,
  },
  _if: { description: "Run the operation only when this is true (or returns true)", type: "any" },
  _temp_dir: { description: "Directory for temporary files on the host", type: "string" },
  _run_once: {
    description: "Run the operation on the first host that reaches it, once per run",
    type: "boolean",
    default: false,
  },
  _notify: {
    description: "Handlers to notify when the operation changed something (a name or a list)",
    type: "any",
  },
  _name: {
    description: "What the operation is called in output and the report (pyinfra's name=)",
    type: "string",
  },
};

/** Names of the control arguments a connector handles itself. */
export const CONNECTOR_ARGUMENT_NAMES = [
  "_timeout",
  "_success_exit_codes",
  "_stdin",
  "_get_pty",
] as const;

/** Names of the control arguments that shape the command line. */
export const COMMAND_ARGUMENT_NAMES = [
  "_sudo",
  "_sudo_user",
  "_use_sudo_login",
  "_sudo_password",
  "_preserve_sudo_env",
  "_su_user",
  "_use_su_login",
  "_preserve_su_env",
  "_su_shell",
  "_doas",
  "_doas_user",
  "_privilege_chain",
  "_shell_executable",
  "_chdir",
  "_env",
] as const;

/** The arguments a connector handles itself while running a command. */
export type ConnectorArguments = Pick<ControlArguments, typeof CONNECTOR_ARGUMENT_NAMES[number]>;
/** The arguments `makeUnixCommand` turns into the command line. */
export type CommandArguments = Pick<ControlArguments, typeof COMMAND_ARGUMENT_NAMES[number]>;

/** True when `key` names a control argument. */
export function isControlArgument(key: string): key is ControlArgumentName {
  return Object.hasOwn(CONTROL_ARGUMENTS, key);
}

/**
 * Validates an object of control arguments from `source` (for messages),
 * rejecting unknown `_keys` with a hint, values of the wrong type, and two
 * privilege methods set together without `_privilege_chain`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { validateControlArguments } from "./arguments.ts";
 * deepStrictEqual(validateControlArguments({ _sudo: true }, "operation"), { _sudo: true });
 * ```
 */
export function validateControlArguments(
  values: Record<string, unknown>,
  source: string,
): ControlArguments {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === "_su_password") {
      throw new InputError(
        `${source}: _su_password is not supported: su reads its password from a terminal, which skiff does not drive; use _sudo with _sudo_password, or a rule that needs no password`,
      );
    }
    if (!isControlArgument(key)) {
      throw new InputError(
        `${source}: unknown control argument "${key}"${hint(key, Object.keys(CONTROL_ARGUMENTS))}`,
      );
    }
    if (value === undefined) continue;
    const meta = CONTROL_ARGUMENTS[key];
    try {
      out[key] = checkDataValue(key, value, meta);
    } catch (error) {
      if (error instanceof InputError) throw new InputError(`${source}: ${error.message}`);
      throw error;
    }
    if (meta.secret && typeof out[key] === "string") out[key] = new SecretValue(out[key] as string);
  }
  try {
    privilegeOf(out);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${source}: ${error.message}`);
    throw error;
  }
  return out as ControlArguments;
}

/** Picks the `_` control arguments out of host data, validated. Other keys are ignored. */
export function controlArgumentsFromData(
  data: Record<string, unknown>,
  source: string,
): ControlArguments {
  const picked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === "_name") {
      throw new InputError(`${source}: _name names one operation call: pass it to the call`);
    }
    if (key.startsWith("_")) picked[key] = value;
  }
  return validateControlArguments(picked, source);
}

/**
 * Built-in defaults of every control argument that has one (objects and
 * arrays copied, so a caller cannot change the next call's defaults).
 *
 * @example
 * ```ts
 * import { deepStrictEqual, notStrictEqual } from "node:assert/strict";
 * import { defaultControlArguments } from "./arguments.ts";
 * const first = defaultControlArguments();
 * deepStrictEqual([first._sudo, first._success_exit_codes], [false, [0]]);
 * notStrictEqual(first._success_exit_codes, defaultControlArguments()._success_exit_codes);
 * ```
 */
export function defaultControlArguments(): ControlArguments {
  defaults ??= Object.entries(CONTROL_ARGUMENTS).flatMap(([key, meta]) =>
    meta.default === undefined ? [] : [[key, meta.default] as const]
  );
  const out: Record<string, unknown> = {};
  for (const [key, value] of defaults) {
    out[key] = typeof value === "object" && value !== null ? structuredClone(value) : value;
  }
  return out as ControlArguments;
}
let defaults: (readonly [string, unknown])[] | undefined;

/** The layers of control arguments, each optional. */
export interface ArgumentLayers {
  /** Arguments passed to the operation call. Highest precedence. */
  operation?: ControlArguments;
  /** Defaults set by the deploy or the session. */
  deploy?: ControlArguments;
  /** `_keys` in the host's data. */
  host?: ControlArguments;
  /** Flags given on the command line (`--sudo`, …). */
  cli?: ControlArguments;
}

/**
 * Merges control arguments by precedence: operation call > deploy/session
 * defaults > host data > CLI flags > built-in defaults. A layer's `undefined`
 * leaves the lower layer's value. A layer that sets any of `_sudo`,
 * `_su_user`, `_doas` or `_privilege_chain` replaces the privilege chosen by
 * the layers below it as a whole (see `lib/core/privilege.ts`).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { mergeControlArguments } from "./arguments.ts";
 * deepStrictEqual(mergeControlArguments({ host: { _sudo: true }, operation: { _sudo: false } })._sudo, false);
 * deepStrictEqual(mergeControlArguments({ host: { _doas: true }, operation: { _sudo: true } })._doas, false);
 * ```
 */
export function mergeControlArguments(layers: ArgumentLayers): ControlArguments {
  let merged: Record<string, unknown> = {};
  for (const layer of [layers.cli, layers.host, layers.deploy, layers.operation]) {
    if (layer) merged = overlay(merged, layer);
  }
  return { ...defaultControlArguments(), ...merged } as ControlArguments;
}

/** What {@linkcode extractControlArguments} returns. */
export interface ExtractedArguments {
  /** Handled by the connector: `_timeout`, `_success_exit_codes`, `_stdin`, `_get_pty`. */
  connector: ConnectorArguments;
  /** Turned into the command line by `makeUnixCommand`. */
  command: CommandArguments;
}

/**
 * Splits merged arguments into what the connector handles and what shapes
 * the command line; operation-level arguments (`_retries`, `_if`, …) are left out.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { extractControlArguments } from "./arguments.ts";
 * deepStrictEqual(extractControlArguments({ _sudo: true, _timeout: 5 }).connector, { _timeout: 5 });
 * ```
 */
export function extractControlArguments(args: ControlArguments): ExtractedArguments {
  const connector: Record<string, unknown> = {};
  const command: Record<string, unknown> = {};
  for (const name of CONNECTOR_ARGUMENT_NAMES) {
    if (args[name] !== undefined) connector[name] = args[name];
  }
  for (const name of COMMAND_ARGUMENT_NAMES) {
    if (args[name] !== undefined) command[name] = args[name];
  }
  return { connector: connector as ConnectorArguments, command: command as CommandArguments };
}
