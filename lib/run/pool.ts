/**
 * A bounded pool for running work on many hosts at once.
 *
 * @module
 */

/**
 * Calls `fn` on every item with at most `limit` calls in flight, returning
 * results in input order. A rejected call rejects the whole pool only after
 * every started call has settled.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { mapPool } from "./pool.ts";
 * deepStrictEqual(await mapPool([1, 2, 3], 2, (n) => Promise.resolve(n * 2)), [2, 4, 6]);
 * ```
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}
