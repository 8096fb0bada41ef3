/**
 * Plan files on disk: written whole or not at all (a temporary file beside
 * it, mode 0600, renamed into place), every known secret value masked; read
 * and validated.
 *
 * @module
 */

import { MASK, MaskedSecret, SecretValue } from "../../core/command.ts";
import { errorMessage, InputError } from "../../core/errors.ts";
import { parsePlan, type PlanDocument } from "./plan_document.ts";

/**
 * Every secret value in `value`, at any depth (`SecretValue`s of host data
 * and control arguments).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { secretValues } from "./plan_file.ts";
 * import { SecretValue } from "../../core/command.ts";
 * deepStrictEqual(secretValues({ a: [new SecretValue("hunter2")], b: "x" }), ["hunter2"]);
 * ```
 */
export function secretValues(value: unknown, out: Set<string> = new Set()): string[] {
  if (value instanceof SecretValue) out.add(value.reveal());
  else if (Array.isArray(value)) value.forEach((item) => secretValues(item, out));
  else if (typeof value === "object" && value !== null) {
    Object.values(value).forEach((item) => secretValues(item, out));
  }
  return [...out];
}

/**
 * `value` with every string's occurrences of `secrets` (of three characters
 * or more, as output masking does) replaced by `***`, at any depth.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { maskDeep } from "./plan_file.ts";
 * deepStrictEqual(maskDeep({ a: ["pw=hunter2"] }, ["hunter2"]), { a: ["pw=***"] });
 * ```
 */
export function maskDeep<T>(value: T, secrets: readonly string[]): T {
  const usable = secrets.filter((secret) => secret.length >= 3);
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") {
      return usable.reduce((text, secret) => text.replaceAll(secret, MASK), item);
    }
    if (item instanceof SecretValue || item instanceof MaskedSecret) return MASK;
    if (Array.isArray(item)) return item.map(walk);
    if (typeof item === "object" && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]));
    }
    return item;
  };
  return walk(value) as T;
}

/**
 * Writes `plan` to `path` (absolute) with mode 0600: into a temporary file in
 * the same directory, then renamed over `path`, so a reader never sees half
 * a plan. `secrets` are masked wherever they occur.
 */
export async function writePlanFile(
  path: string,
  plan: PlanDocument,
  secrets: readonly string[],
): Promise<void> {
  const text = JSON.stringify(maskDeep(plan, secrets), null, 2) + "\n";
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  const name = path.slice(path.lastIndexOf("/") + 1);
  const temporary = `${dir}/.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true, mode: 0o600 });
    try {
      await Deno.chmod(temporary, 0o600);
      let rest = new TextEncoder().encode(text);
      while (rest.length > 0) rest = rest.subarray(await file.write(rest));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      throw new InputError(`Plan ${path} cannot be written: ${errorMessage(error)}`);
    }
    throw error;
  }
}

/** Reads and validates the plan at `path` (`given` names it in errors). */
export async function readPlanFile(path: string, given: string): Promise<PlanDocument> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new InputError(`Plan ${given} does not exist`);
    throw new InputError(`Plan ${given} cannot be read: ${errorMessage(error)}`);
  }
  return parsePlan(text, given);
}
