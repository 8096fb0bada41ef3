/**
 * The control arguments (`_sudo`, `_env`, `_timeout`, …) a deploy passes to
 * operations, sets as deploy defaults or finds in host data.
 *
 * ```ts
 * import type { OpControl } from "./control.ts";
 * const asRoot: OpControl = { _sudo: true, _env: { LANG: "C" }, _if: () => true };
 * asRoot._sudo; // true
 * ```
 *
 * @module
 */

import type { RawValue, SecretValue, StdinValue } from "./values.ts";

/**
 * Every control argument, as accepted by operations, host data and the CLI.
 * The type parameters are the secret and raw value types: a deploy sees the
 * {@linkcode SecretValue} and {@linkcode RawValue} shapes, skiff's own code the
 * classes that implement them.
 */
export interface ControlArguments<Secret = SecretValue, Raw = RawValue> {
  /** Run the command with sudo. */
  _sudo?: boolean;
  /** User to sudo to (sudo -u). */
  _sudo_user?: string;
  /** Use a login shell for sudo (sudo -i). */
  _use_sudo_login?: boolean;
  /** Password for sudo, passed through an askpass helper, never in argv. */
  _sudo_password?: string | Secret;
  /** Keep the environment under sudo (sudo -E). */
  _preserve_sudo_env?: boolean;
  /** User to su to. */
  _su_user?: string;
  /** Use a login shell for su (su -l). */
  _use_su_login?: boolean;
  /** Keep the environment under su (su -m). */
  _preserve_su_env?: boolean;
  /** Shell for su to use (su -s). */
  _su_shell?: string;
  /** Run the command with doas. */
  _doas?: boolean;
  /** User to doas to (doas -u). */
  _doas_user?: string;
  /** Nest privilege methods explicitly, outer to inner (pyinfra's stacking is ["doas", "sudo", "su"]). */
  _privilege_chain?: readonly ("doas" | "sudo" | "su")[];
  /** Shell that wraps the command; null sends the command as it is. */
  _shell_executable?: string | null;
  /** Directory to run the command in. */
  _chdir?: string;
  /** Environment variables for the command (values are quoted). */
  _env?: Record<string, string | Secret | Raw>;
  /** Exit codes that count as success. */
  _success_exit_codes?: number[];
  /** Seconds before the command is killed. */
  _timeout?: number;
  /** Run the command in a pseudo-terminal. */
  _get_pty?: boolean;
  /** Text, bytes or lines written to standard input. */
  _stdin?: StdinValue;
  /** Times to retry a failed command. */
  _retries?: number;
  /** Seconds between retries. */
  _retry_delay?: number;
  /** Retry the operation again while this returns true for the attempt's output (pyinfra's meaning). */
  _retry_until?: (output: RetryOutput) => boolean | Promise<boolean>;
  /** A failure is reported but does not stop the host. */
  _ignore_errors?: boolean;
  /** Run the remaining commands of an operation after one fails. */
  _continue_on_error?: boolean;
  /** Run the operation only when this is true (or returns true). */
  _if?: Condition | readonly Condition[];
  /** Directory for temporary files on the host. */
  _temp_dir?: string;
  /**
   * Run the operation on the first host that reaches it, once per run; the
   * other hosts wait for it and get `changed: false` naming that host.
   */
  _run_once?: boolean;
  /** Notify these handlers (`ctx.handler`) when the operation changed something. */
  _notify?: string | readonly string[];
  /**
   * What the operation is called in output, `--json` events and the report
   * (pyinfra's `name=`), instead of what it acts on. Only on a call.
   */
  _name?: string;
}

/** One `_if` condition: a value, or a function of the deploy's (it may be async). */
export type Condition = boolean | (() => boolean | Promise<boolean>);

/** What `_retry_until` receives about one attempt (pyinfra's output data, in camelCase). */
export interface RetryOutput {
  /** The attempt succeeded. */
  success: boolean;
  /** Its standard output. */
  stdout: string;
  /** Its standard output as lines. */
  stdoutLines: string[];
  /** Its standard error. */
  stderr: string;
  /** Its standard error as lines. */
  stderrLines: string[];
  /** The commands it ran, masked. */
  commands: string[];
}

/**
 * Control arguments accepted by an operation, as its last parameter. `_if`
 * and `_retry_until` may be functions: they stay in the deploy's sandbox and
 * are called back from the controller, which decides skips and retries.
 */
export type OpControl = ControlArguments;
