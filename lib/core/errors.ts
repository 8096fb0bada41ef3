/**
 * Error classes. User errors (bad input, exit code 2) are kept apart from
 * failures on hosts (exit code 1) and from bugs.
 *
 * @module
 */

/** Bad input from the operator: a fleet file, a flag, a deploy file. Exit code 2. */
export class InputError extends Error {
  /** The process exit code for this error. */
  readonly exitCode = 2;
  /** Creates an input error; `message` is shown as it is. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InputError";
  }
}

/** A connection to a host could not be made. */
export class ConnectError extends Error {
  /** True when trying again cannot help (authentication, host key). */
  readonly permanent: boolean;
  /** Creates a connect error. */
  constructor(message: string, options?: ErrorOptions & { permanent?: boolean }) {
    super(message, options);
    this.name = "ConnectError";
    this.permanent = options?.permanent ?? false;
  }
}

/** An operation or command failed on a host. */
export class OperationError extends Error {
  /** Creates an operation error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "OperationError";
  }
}

/** Deno refused a permission the binary was not granted. */
export class PermissionError extends Error {
  /** Exit code: the operator must change how skiff is run. */
  readonly exitCode = 2;
  /** Creates a permission error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PermissionError";
  }
}

/** The meaning of common shell exit codes, for failure messages. */
export const EXIT_CODE_MEANINGS: Readonly<Record<number, string>> = {
  1: "general error",
  2: "misuse of shell builtin or bad usage",
  124: "timed out",
  126: "command found but not executable",
  127: "command not found",
  128: "invalid exit argument",
  129: "hangup (SIGHUP)",
  130: "interrupted (SIGINT)",
  137: "killed (SIGKILL)",
  139: "segmentation fault (SIGSEGV)",
  141: "broken pipe (SIGPIPE)",
  143: "terminated (SIGTERM)",
};

/**
 * A human phrase for an exit code.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { describeExitCode } from "./errors.ts";
 * deepStrictEqual(describeExitCode(127), "exit code 127 (command not found)");
 * ```
 */
export function describeExitCode(code: number | null): string {
  if (code === null) return "no exit status";
  const meaning = EXIT_CODE_MEANINGS[code];
  return meaning ? `exit code ${code} (${meaning})` : `exit code ${code}`;
}

/**
 * Explains a permission Deno refused: which permission, for what, and how to
 * get it.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { explainDenial } from "./errors.ts";
 * deepStrictEqual(explainDenial('Requires run access to "/opt/docker", run again with the --allow-run flag'), 'skiff may not run "/opt/docker": its permission set (lib/build/permissions.flags, shown by `skiff doctor`) lacks --allow-run for it; use a program in the allow list or rebuild skiff with it added');
 * ```
 */
export function explainDenial(message: string): string {
  const match = /Requires (\w+) access to "?([^",]+)"?/.exec(message) ??
    /Requires (\w+) access/.exec(message);
  if (!match) return message;
  const kind = match[1];
  const target = match[2];
  const verbs: Record<string, string> = {
    run: "run",
    read: "read",
    write: "write",
    net: "connect to",
    env: "read the variable",
    sys: "read system information",
  };
  const what = target ? `${verbs[kind] ?? `use ${kind}`} "${target}"` : `use ${kind} access`;
  const fix = kind === "run"
    ? "use a program in the allow list or rebuild skiff with it added"
    : kind === "env"
    ? "pass the value another way (host data, --data or !file) or rebuild skiff with the variable added"
    : "rebuild skiff with it added";
  return `skiff may not ${what}: its permission set (lib/build/permissions.flags, shown by \`skiff doctor\`) lacks --allow-${kind} for it; ${fix}`;
}

/** The message of any thrown value; permission denials are explained. */
export function errorMessage(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) return explainDenial(error.message);
  return error instanceof Error ? error.message : String(error);
}
