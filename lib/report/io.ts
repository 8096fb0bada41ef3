/**
 * What the CLI talks to: output streams, environment, terminal. `main.ts`
 * wires the real ones; tests pass their own.
 *
 * @module
 */

/** The outside world of one CLI run. */
export interface CliIo {
  /** Writes text to standard output. */
  readonly out: (text: string) => void;
  /** Writes text to standard error. */
  readonly err: (text: string) => void;
  /** Reads an environment variable the binary is allowed to see. */
  readonly env: (name: string) => string | undefined;
  /** True when standard output is a terminal. */
  readonly isTerminal: boolean;
  /** Rows of the terminal standard output is, when it is one. */
  readonly rows?: () => number;
  /** The current directory, for relative paths. */
  readonly cwd: string;
  /** Aborted when the operator presses Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Asks a question on the terminal; null when there is none. */
  readonly prompt?: (question: string, options: { secret: boolean }) => Promise<string | null>;
}

/** True when colour may be used: a terminal, and NO_COLOR unset. */
export function useColor(io: CliIo): boolean {
  if (io.env("NO_COLOR") !== undefined && io.env("NO_COLOR") !== "") return false;
  if (io.env("FORCE_COLOR")) return true;
  return io.isTerminal;
}
