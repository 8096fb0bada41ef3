/**
 * A plan from a finished dry run, and the check an apply makes first: the
 * files, the hosts and their data are still those the plan was made from.
 *
 * @module
 */

import { MaskedSecret, SecretValue } from "../../core/command.ts";
import type { InventoryHost } from "../../inventory/inventory.ts";
import { sha256Hex } from "../../operations/context.ts";
import { changedFile, digestFiles, moduleGraph } from "./file_digests.ts";
import {
  PLAN_FORMAT,
  PLAN_VERSION,
  type PlanDocument,
  type PlannedFileRole,
} from "./plan_document.ts";
import type { PlanRecorder } from "./plan_recorder.ts";

/** What a plan was made from, besides the dry run itself. */
export interface PlanInputs {
  /** The skiff version. */
  skiff: string;
  /** The directory the command ran in. */
  cwd: string;
  /** The deploy command as typed (after `skiff`), secret `--data` values masked. */
  argv: readonly string[];
  /** How the dry run was shown. */
  display: { diff: boolean; verbosity: number };
  /** Deploy modules (absolute paths). */
  deploys: readonly string[];
  /** Fleet files (absolute paths). */
  fleets: readonly string[];
  /** Connector modules loaded (absolute paths). */
  connectors: readonly string[];
  /** The hosts of the run, in order. */
  hosts: readonly InventoryHost[];
}

/** A value as stable JSON: keys sorted, secrets as a marker (their values never). */
function stableJson(value: unknown): string {
  if (value instanceof SecretValue || value instanceof MaskedSecret) return '"<secret>"';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${
      keys.map((key) =>
        `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`
      )
        .join(",")
    }}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * sha256 of a host's data with secret values left out (a secret counts only
 * as being there): an apply refuses a host whose data changed.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { hostDataDigest } from "./make_plan.ts";
 * import { SecretValue } from "../../core/command.ts";
 * strictEqual(
 *   await hostDataDigest({ b: 1, a: new SecretValue("x") }),
 *   await hostDataDigest({ a: new SecretValue("y"), b: 1 }),
 * );
 * ```
 */
export async function hostDataDigest(data: unknown): Promise<string> {
  return await sha256Hex(new TextEncoder().encode(stableJson(data)));
}

/** The plan of a finished dry run that `recorder` followed. */
export async function makePlan(recorder: PlanRecorder, inputs: PlanInputs): Promise<PlanDocument> {
  const files: { path: string; role: PlannedFileRole }[] = [];
  for (const deploy of inputs.deploys) {
    const [first, ...modules] = await moduleGraph(deploy);
    files.push({ path: first, role: "deploy" });
    for (const path of modules) files.push({ path, role: "module" });
  }
  for (const path of inputs.fleets) files.push({ path, role: "fleet" });
  for (const path of inputs.connectors) files.push({ path, role: "connector" });
  for (const path of recorder.localReads) files.push({ path, role: "source" });
  const operations = recorder.operations(inputs.hosts.map((host) => host.name));
  return {
    format: PLAN_FORMAT,
    version: PLAN_VERSION,
    skiff: inputs.skiff,
    created: new Date().toISOString(),
    cwd: inputs.cwd,
    argv: [...inputs.argv],
    display: inputs.display,
    files: await digestFiles(files),
    hosts: await Promise.all(inputs.hosts.map(async (host) => ({
      name: host.name,
      data: await hostDataDigest(host.data),
      operations: operations.get(host.name) ?? [],
    }))),
    events: [...recorder.events],
  };
}

/**
 * Why `plan` cannot be applied to `hosts` as they are now, or undefined: a
 * file it was made from changed, the targets select other hosts, or a host's
 * data changed.
 */
export async function planMismatch(
  plan: PlanDocument,
  hosts: readonly InventoryHost[],
): Promise<string | undefined> {
  const changed = await changedFile(plan.files);
  if (changed !== undefined) return changed;
  const planned = plan.hosts.map((host) => host.name);
  const now = hosts.map((host) => host.name);
  const added = now.filter((name) => !planned.includes(name));
  if (added.length > 0) {
    return `the targets now select ${added.join(", ")}, which the plan does not have`;
  }
  const gone = planned.filter((name) => !now.includes(name));
  if (gone.length > 0) return `the targets no longer select ${gone.join(", ")}`;
  for (const host of hosts) {
    const entry = plan.hosts.find((planned) => planned.name === host.name)!;
    if (entry.data !== await hostDataDigest(host.data)) {
      return `the data of host ${host.name} changed since the plan was made`;
    }
  }
  return undefined;
}
