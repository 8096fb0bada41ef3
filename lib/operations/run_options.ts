/**
 * How a host session shows and bounds a command it runs for an operation.
 *
 * @module
 */

/** How a host session shows and bounds a command. */
export interface RunCommandOptions {
  /** An operator's command: a shell of its own (and its own `$$`). */
  ownShell?: boolean;
  /** Characters of output kept (default: 1 MiB for an operator's command, all for skiff's own). */
  outputLimit?: number;
  /** Shown instead of the command; the command's secret bits are data, not masked later. */
  label?: string;
  /** Neither the command nor its output is shown. */
  quiet?: boolean;
}
