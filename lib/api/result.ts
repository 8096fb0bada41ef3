/**
 * What every operation returns.
 *
 * ```ts
 * import type { OperationResult } from "./result.ts";
 * const unchanged: OperationResult = {
 *   changed: false,
 *   success: true,
 *   description: "already present",
 *   commands: [],
 *   stdout: "",
 *   stderr: "",
 * };
 * unchanged.changed; // false
 * ```
 *
 * @module
 */

/** What every operation returns. */
export interface OperationResult {
  /** The operation changed something (or, in a dry run, would). */
  changed: boolean;
  /** Every command succeeded. */
  success: boolean;
  /** One line saying what changed or why nothing did. */
  description: string;
  /** The commands run, masked. */
  commands: string[];
  /** Standard output of the commands, joined. */
  stdout: string;
  /** Standard error of the commands, joined. */
  stderr: string;
  /**
   * What changed, as a diff: unified for file content; one line per change
   * for mode and owner, packages (`+nginx-light`), services
   * (`nginx: stopped → running`), accounts, git HEAD and sysctl values.
   */
  diff?: string;
  /**
   * In a dry run: the outcome depends on an earlier change the dry run
   * cannot predict (after `server.shell`, say), so it is reported as a
   * change (`would change (depends on an earlier change)`) without details.
   */
  dependsOnEarlierChange?: boolean;
}
