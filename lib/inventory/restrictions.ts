/**
 * Fleet restrictions with Ch-aOS meaning: an allow list runs only the deploys
 * marked true on a host; a black list blocks every deploy on a host when its
 * map is empty, otherwise the deploys marked true.
 *
 * @module
 */

/** `restrictions:` from a fleet file. */
export interface Restrictions {
  allow_list?: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
  black_list?: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
}

/**
 * Why `deploy` may not run on `host`, or null when it may.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { restrictionReason } from "./restrictions.ts";
 * deepStrictEqual(restrictionReason({ black_list: { db1: {} } }, "db1", "nginx"), "db1 is black-listed for every deploy");
 * ```
 */
export function restrictionReason(
  restrictions: Restrictions | undefined,
  host: string,
  deploy: string,
): string | null {
  const allow = restrictions?.allow_list?.[host];
  if (allow !== undefined && allow[deploy] !== true) {
    return `${deploy} is not in the allow list of ${host}`;
  }
  const black = restrictions?.black_list?.[host];
  if (black !== undefined) {
    if (Object.keys(black).length === 0) return `${host} is black-listed for every deploy`;
    if (black[deploy] === true) return `${deploy} is black-listed on ${host}`;
  }
  return null;
}
