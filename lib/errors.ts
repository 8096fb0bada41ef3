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
 * import { describeExitCode } from "./errors.ts";
 * describeExitCode(127); // "exit code 127 (command not found)"
 * ```
 */
export function describeExitCode(code: number | null): string {
  if (code === null) return "no exit status";
  const meaning = EXIT_CODE_MEANINGS[code];
  return meaning ? `exit code ${code} (${meaning})` : `exit code ${code}`;
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
