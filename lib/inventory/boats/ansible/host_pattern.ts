/**
 * Host patterns as Ansible's inventory plugins read them: a port after the
 * name (`host:5309`, `[fe80::2]:2222`) and ranges (`web[01:50:2]`,
 * `db-[a:c]`, `node[:5]`, several in one name).
 *
 * @module
 */

import { InputError } from "../../../core/errors.ts";

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The host names and port a pattern stands for.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseHostPattern } from "./host_pattern.ts";
 * deepStrictEqual(parseHostPattern("web[01:05:2]:2222"), { names: ["web01", "web03", "web05"], port: 2222 });
 * deepStrictEqual(parseHostPattern("[fe80::2]:22"), { names: ["fe80::2"], port: 22 });
 * deepStrictEqual(parseHostPattern("fe80::2"), { names: ["fe80::2"] });
 * ```
 */
export function parseHostPattern(pattern: string): { names: string[]; port?: number } {
  const bracketed = /^\[([0-9a-fA-F:.%]*:[0-9a-fA-F:.%]*)\](?::(\d+))?$/.exec(pattern);
  if (bracketed && !/^\d*:\d*(:\d*)?$/.test(bracketed[1])) {
    return withPort([bracketed[1]], bracketed[2]);
  }
  // Colons inside [ranges] are not ports.
  const outside = pattern.replace(/\[[^\]]*\]/g, "");
  const colons = (outside.match(/:/g) ?? []).length;
  if (colons === 1) {
    const at = lastColonOutsideBrackets(pattern);
    const port = pattern.slice(at + 1);
    if (!/^\d+$/.test(port)) {
      throw new InputError(`Host pattern "${pattern}": the port "${port}" is not a number`);
    }
    return withPort(expandRanges(pattern.slice(0, at)), port);
  }
  if (colons > 1) return { names: [pattern] }; // a bare IPv6 address
  return { names: expandRanges(pattern) };
}

function withPort(names: string[], port: string | undefined): { names: string[]; port?: number } {
  return port === undefined ? { names } : { names, port: Number(port) };
}

function lastColonOutsideBrackets(text: string): number {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === "]") depth++;
    else if (text[i] === "[") depth--;
    else if (text[i] === ":" && depth === 0) return i;
  }
  return -1;
}

/**
 * Expands every `[begin:end]` or `[begin:end:step]` range, left to right, as
 * Ansible's `expand_hostname_range` does (zero padding kept, letter ranges,
 * an empty begin meaning 0).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { expandRanges } from "./host_pattern.ts";
 * deepStrictEqual(expandRanges("r[1:2]c[a:b]"), ["r1ca", "r1cb", "r2ca", "r2cb"]);
 * ```
 */
export function expandRanges(name: string): string[] {
  const open = name.indexOf("[");
  const close = name.indexOf("]", open);
  if (open === -1 || close === -1 || !name.slice(open + 1, close).includes(":")) return [name];
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(":");
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new InputError(`Host range "${name}": write [begin:end] or [begin:end:step]`);
  }
  const begin = bounds[0] === "" ? "0" : bounds[0];
  const end = bounds[1];
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (end === "") throw new InputError(`Host range "${name}": the range needs an end`);
  if (!Number.isInteger(step) || step < 1) {
    throw new InputError(`Host range "${name}": the step must be a whole number of 1 or more`);
  }
  let items: string[];
  if (LETTERS.includes(begin) && LETTERS.includes(end) && begin.length === 1 && end.length === 1) {
    const from = LETTERS.indexOf(begin);
    const to = LETTERS.indexOf(end);
    if (from > to) throw new InputError(`Host range "${name}": the begin comes after the end`);
    items = [];
    for (let i = from; i <= to; i += step) items.push(LETTERS[i]);
  } else {
    if (!/^\d+$/.test(begin) || !/^\d+$/.test(end)) {
      throw new InputError(`Host range "${name}": begin and end must be numbers or single letters`);
    }
    const width = begin.length > 1 && begin.startsWith("0") ? begin.length : 0;
    if (width > 0 && width !== end.length) {
      throw new InputError(
        `Host range "${name}": a zero-padded begin and its end must have the same width`,
      );
    }
    items = [];
    for (let n = Number(begin); n <= Number(end); n += step) {
      items.push(String(n).padStart(width, "0"));
    }
  }
  return items.flatMap((item) => expandRanges(`${head}${item}${tail}`));
}
