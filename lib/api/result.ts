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
  /** A unified diff of file content or mode/owner changes, when there is one. */
  diff?: string;
}
