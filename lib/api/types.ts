/**
 * Kept for the files that still import `lib/api/types.ts`; new code imports
 * `lib/api/mod.ts`. Delete this file once nothing imports it.
 *
 * ```ts
 * import type { OperationResult } from "./types.ts";
 * const result: Pick<OperationResult, "changed"> = { changed: false };
 * result.changed; // false
 * ```
 *
 * @module
 */

export type * from "./mod.ts";
