/**
 * The state a dry run predicts for one host: what each operation so far
 * would have changed, layered over what the host holds now. Later
 * operations and facts in the same dry run read through it.
 *
 * State is addressed by keys: `file:/etc/app.conf`, `package:apt:nginx`,
 * `service:nginx.service`, `user:deploy`, `group:site`, `git:/srv/site`,
 * `sysctl:vm.swappiness`, `hostname`, `aptlists`, `kernel`. An operation
 * states its effect by setting keys; what it cannot state (an opaque
 * command, a package's maintainer scripts) it marks unknown by key prefix
 * ("regions"). The latest statement about a key wins. Reading an unknown
 * value throws {@linkcode StateUnknown}; the dispatcher then reports the
 * operation as `would change (depends on an earlier change)`.
 *
 * @module
 */

import type { OperationResult } from "../api/mod.ts";

/** The value of something a dry run cannot predict. */
export const UNKNOWN: unique symbol = Symbol("unknown");

/** A value, or {@linkcode UNKNOWN}. */
export type Known<T> = T | typeof UNKNOWN;

/** What an operation reports when it depends on an earlier predicted change. */
export const DEPENDS = "depends on an earlier change";

/** An operation's result when its outcome depends on a change the dry run cannot predict. */
export function dependsResult(): OperationResult {
  return {
    changed: true,
    success: true,
    description: DEPENDS,
    commands: [],
    stdout: "",
    stderr: "",
    dependsOnEarlierChange: true,
  };
}

/**
 * Thrown when an operation in a dry run reads state an earlier operation
 * made unknown. Not an OperationError: the dispatcher turns it into a
 * predicted change, never a failure.
 */
export class StateUnknown extends Error {
  /** The key that could not be read. */
  readonly key: string;
  /** What made it unknown (`server.shell make install`). */
  readonly because: string;
  /** Creates the error for `key`, made unknown by `because`. */
  constructor(key: string, because: string) {
    super(`${key} is unknown in this dry run after ${because}`);
    this.name = "StateUnknown";
    this.key = key;
    this.because = because;
  }
}

/**
 * Returns `value` unless it is unknown; throws {@linkcode StateUnknown}.
 *
 * @example
 * ```ts
 * import { deepStrictEqual, throws } from "node:assert/strict";
 * import { known, UNKNOWN } from "./predicted_state.ts";
 * deepStrictEqual(known(3, "user:app"), 3);
 * throws(() => known(UNKNOWN, "user:app"), { name: "StateUnknown" });
 * ```
 */
export function known<T>(value: Known<T>, key: string, because = "an earlier change"): T {
  if (value === UNKNOWN) throw new StateUnknown(key, because);
  return value;
}

/** What a lookup found for a key. */
export type Lookup =
  /** A predicted value (which may be UNKNOWN); `region` when a prefix statement made it. */
  | { from: "state"; value: unknown; seq: number; cause: string; region?: true }
  /** Nothing predicted: read the host; `keep` (when set) maps the host's value to the prediction. */
  | { from: "host"; seq: number; cause?: string; keep?: (host: unknown) => unknown };

/** What a region says of the keys under its prefix. */
export type RegionRule =
  | { unknown: true }
  | { value: unknown }
  | { keep: (host: unknown) => unknown };

interface Region {
  prefix: string;
  except: readonly string[];
  rule: RegionRule;
  seq: number;
  cause: string;
}

/**
 * One host's predicted state in a dry run. Sessions of a dry run hold one;
 * an operation predicted on its own (a harness, an apply's drift check)
 * gets a fresh one.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { PredictedState, UNKNOWN } from "./predicted_state.ts";
 * const state = new PredictedState();
 * state.set("user:app", { uid: 1001 }, "server.user app");
 * state.forget("user:", "server.shell useradd x");
 * deepStrictEqual(state.lookup("user:app").from, "state");
 * deepStrictEqual((state.lookup("user:app") as { value: unknown }).value, UNKNOWN);
 * ```
 */
export class PredictedState {
  readonly #entries = new Map<string, { value: unknown; seq: number; cause: string }>();
  readonly #regions: Region[] = [];
  #seq = 0;
  #taint: string | undefined;

  /** How many statements were made; compare with a later value to see whether any were. */
  get seq(): number {
    return this.#seq;
  }

  /** True once any change was predicted. */
  get changed(): boolean {
    return this.#seq > 0;
  }

  /** What a deploy read as an unknown fact, if it did (later operations depend on it). */
  get taint(): string | undefined {
    return this.#taint;
  }

  /** Records that the deploy read a fact the dry run could not predict. */
  taintWith(cause: string): void {
    this.#taint ??= cause;
  }

  /** States the predicted value of `key` (UNKNOWN when only its change is known). */
  set(key: string, value: unknown, cause: string): void {
    this.#entries.set(key, { value, seq: ++this.#seq, cause });
  }

  /**
   * States something of every key under `prefix` (all keys for `""`), but
   * those under an `except` prefix: unknown (the default), one value, or a
   * function of the host's value.
   */
  forget(
    prefix: string,
    cause: string,
    options: { except?: readonly string[]; rule?: RegionRule } = {},
  ): void {
    this.#regions.push({
      prefix,
      except: options.except ?? [],
      rule: options.rule ?? { unknown: true },
      seq: ++this.#seq,
      cause,
    });
  }

  /** What is predicted for `key`: the latest statement covering it, or the host. */
  lookup(key: string): Lookup {
    const entry = this.#entries.get(key);
    let region: Region | undefined;
    for (const candidate of this.#regions) {
      if (!key.startsWith(candidate.prefix)) continue;
      if (candidate.except.some((prefix) => key.startsWith(prefix))) continue;
      if (region === undefined || candidate.seq > region.seq) region = candidate;
    }
    if (entry && (!region || entry.seq > region.seq)) {
      return { from: "state", value: entry.value, seq: entry.seq, cause: entry.cause };
    }
    if (!region) return { from: "host", seq: 0 };
    const rule = region.rule;
    if ("keep" in rule) {
      return { from: "host", seq: region.seq, cause: region.cause, keep: rule.keep };
    }
    const value = "value" in rule ? rule.value : UNKNOWN;
    return { from: "state", value, seq: region.seq, cause: region.cause, region: true };
  }

  /**
   * What made the latest statement about keys under one of `prefixes` (an
   * entry under them, or a region overlapping them), or undefined when none
   * was made.
   */
  touchedBy(prefixes: readonly string[]): { seq: number; cause: string } | undefined {
    let latest: { seq: number; cause: string } | undefined;
    for (const [key, entry] of this.#entries) {
      if (!prefixes.some((prefix) => key.startsWith(prefix))) continue;
      if (!latest || entry.seq > latest.seq) latest = entry;
    }
    const region = this.regionOver(prefixes);
    if (region && (!latest || region.seq > latest.seq)) latest = region;
    return latest && { seq: latest.seq, cause: latest.cause };
  }

  /** The latest region overlapping keys under one of `prefixes` (it may have added any key there). */
  regionOver(
    prefixes: readonly string[],
  ): { seq: number; cause: string; rule: RegionRule } | undefined {
    const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
    let latest: Region | undefined;
    for (const region of this.#regions) {
      const over = prefixes.some((prefix) =>
        overlaps(region.prefix, prefix) &&
        !region.except.some((except) => prefix.startsWith(except))
      );
      if (over && (!latest || region.seq > latest.seq)) latest = region;
    }
    return latest;
  }

  /** Keys stated under `prefix` (for listings such as a directory tree). */
  keysUnder(prefix: string): string[] {
    return [...this.#entries.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
