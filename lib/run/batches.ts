/**
 * `--serial N` and `--serial P%`: the hosts of a run in batches, one batch
 * after another.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";

/** A batch size: a number of hosts, or a percentage of them. */
export type Serial = number | `${number}%`;

/**
 * Parses `--serial` (or `fleet: {serial}`): a positive integer or a
 * percentage from 1 to 100.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseSerial } from "./batches.ts";
 * deepStrictEqual(parseSerial("40%"), "40%");
 * deepStrictEqual(parseSerial(2), 2);
 * ```
 */
export function parseSerial(value: string | number, source = "--serial"): Serial {
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const n = Number(percent[1]);
    if (n > 0 && n <= 100) return `${n}%`;
  } else if (/^\d+$/.test(text) && Number(text) >= 1) return Number(text);
  throw new InputError(
    `${source}: expected a number of hosts or a percentage such as 40%, got "${value}"`,
  );
}

/**
 * Splits `hosts` into batches of `serial` (a percentage of the hosts, rounded
 * down, at least one). Without `serial`, one batch.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { batchesOf } from "./batches.ts";
 * deepStrictEqual(batchesOf(["a", "b", "c", "d", "e"], "40%"), [["a", "b"], ["c", "d"], ["e"]]);
 * deepStrictEqual(batchesOf(["a", "b"], undefined), [["a", "b"]]);
 * ```
 */
export function batchesOf<T>(hosts: readonly T[], serial: Serial | undefined): T[][] {
  if (hosts.length === 0) return [];
  if (serial === undefined) return [[...hosts]];
  const size = typeof serial === "number"
    ? serial
    : Math.max(1, Math.floor(hosts.length * Number(serial.slice(0, -1)) / 100));
  const batches: T[][] = [];
  for (let start = 0; start < hosts.length; start += size) {
    batches.push(hosts.slice(start, start + size));
  }
  return batches;
}
