/**
 * The saved plan: a versioned JSON document that `skiff deploy … --plan FILE`
 * writes and `skiff plan show` and `skiff apply` read. Read as `unknown` and
 * validated; an error names the file and the key path.
 *
 * @module
 */

import { z } from "zod";
import { InputError } from "../../core/errors.ts";
import type { RunEvent } from "../events.ts";

/** What the `format` key of every plan says. */
export const PLAN_FORMAT = "skiff-plan";
/** The version of the plan format this skiff writes and reads. */
export const PLAN_VERSION = 1;

/** How an operation ended, or in a dry run would end. */
export type PlannedOutcome = "change" | "no change" | "skipped" | "ran once" | "failed";

/** One operation call of a host, in the order the host made them. */
export interface PlannedOperation {
  /** Its place among the host's operations (0-based), the `index` of its events. */
  index: number;
  /** The deploy that called it. */
  deploy: string;
  op: string;
  subject: string;
  /** Where the deploy called it (`web.ts:12`). */
  site?: string;
  outcome: PlannedOutcome;
  description: string;
  /** The commands the dry run ran for it (its checks), masked. */
  commands: string[];
  diff?: string;
}

/** One host of the plan. */
export interface PlannedHost {
  name: string;
  /** sha256 of the host's data with secrets left out (see `hostDataDigest`). */
  data: string;
  operations: PlannedOperation[];
}

/** What a file is to the plan. */
export type PlannedFileRole = "deploy" | "module" | "fleet" | "connector" | "source";

/** A local file the plan was made from, with its digest (`null`: it did not exist). */
export interface PlannedFile {
  path: string;
  role: PlannedFileRole;
  /** sha256 of the file, or of a directory's listing and files (`files.sync`). */
  sha256: string | null;
}

/** A saved plan. */
export interface PlanDocument {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  /** The skiff version that made it. */
  skiff: string;
  /** When it was made (ISO 8601). */
  created: string;
  /** The directory the deploy command ran in (relative paths in `argv` are from there). */
  cwd: string;
  /** The deploy command as typed (after `skiff`), secret `--data` values as `***`. */
  argv: string[];
  /** How the dry run was shown (`plan show` shows it the same way). */
  display: { diff: boolean; verbosity: number };
  files: PlannedFile[];
  hosts: PlannedHost[];
  /** The dry run's events (without command output), for `plan show`. */
  events: RunEvent[];
}

const operationSchema = z.strictObject({
  index: z.int().min(0),
  deploy: z.string(),
  op: z.string(),
  subject: z.string(),
  site: z.string().optional(),
  outcome: z.enum(["change", "no change", "skipped", "ran once", "failed"]),
  description: z.string(),
  commands: z.array(z.string()),
  diff: z.string().optional(),
});

const planSchema = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  version: z.literal(PLAN_VERSION, {
    error: (issue) =>
      `this skiff reads plans of version ${PLAN_VERSION}, this one is version ${
        JSON.stringify(issue.input)
      }: make the plan again`,
  }),
  skiff: z.string(),
  created: z.string(),
  cwd: z.string().startsWith("/"),
  argv: z.array(z.string()).min(1),
  display: z.strictObject({ diff: z.boolean(), verbosity: z.int().min(0) }),
  files: z.array(z.strictObject({
    path: z.string().startsWith("/"),
    role: z.enum(["deploy", "module", "fleet", "connector", "source"]),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  })),
  hosts: z.array(z.strictObject({
    name: z.string(),
    data: z.string().regex(/^[0-9a-f]{64}$/),
    operations: z.array(operationSchema),
  })),
  events: z.array(z.looseObject({ type: z.string() })),
});

/**
 * Parses and validates a plan file's text; `file` names it in errors
 * (InputError, exit 2).
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { parsePlan } from "./plan_document.ts";
 * throws(() => parsePlan('{"format":"skiff-plan","version":9}', "p.json"), /^InputError: Plan p\.json: version: this skiff reads plans of version 1, this one is version 9: make the plan again$/);
 * ```
 */
export function parsePlan(text: string, file: string): PlanDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`Plan ${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`Plan ${file} is not a skiff plan: expected a JSON object`);
  }
  if ((value as Record<string, unknown>).format !== PLAN_FORMAT) {
    throw new InputError(`Plan ${file} is not a skiff plan: "format" is not "${PLAN_FORMAT}"`);
  }
  const result = planSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new InputError(`Plan ${file}: ${at}${issue.message}`);
  }
  if (result.data.argv[0] !== "deploy") {
    throw new InputError(
      `Plan ${file}: argv: expected a deploy command line, got "${result.data.argv[0]}"`,
    );
  }
  for (const host of result.data.hosts) {
    for (const [i, operation] of host.operations.entries()) {
      if (operation.index !== i) {
        throw new InputError(
          `Plan ${file}: hosts.${host.name}.operations.${i}: index is ${operation.index}, expected ${i}`,
        );
      }
    }
  }
  return { ...result.data, events: result.data.events as unknown as RunEvent[] };
}
