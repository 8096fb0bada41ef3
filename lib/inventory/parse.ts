/**
 * Fleet files: YAML (a Ch-aOS compatible superset) parsed to `unknown`,
 * validated with zod, every error naming the file, line, column and key path.
 * Custom tags: `!env NAME` (or `!env NAME:-default`), `!file PATH` (relative
 * to the fleet file) and `!secret VALUE`.
 *
 * @module
 */

import { type SchemaConnector, withDataKeys } from "./data_schema.ts";
import YAML, { type Document, isMap, LineCounter, type Node } from "yaml";
import { z } from "zod";
import { SecretValue } from "../core/command.ts";
import { hint } from "../core/data_meta.ts";
import { InputError } from "../core/errors.ts";
import { describeValue } from "../core/data_meta.ts";

const dataMap = z.record(z.string(), z.unknown());
const restrictionMap = z.record(z.string(), z.record(z.string(), z.boolean()));

const SERIAL_ERROR = "expected a number of hosts or a percentage such as 40%";

/** The schema of the `fleet:` key. */
export const fleetSchema = z.strictObject({
  parallelism: z.int().min(0).optional(),
  serial: z.union([
    z.int().min(1, { error: SERIAL_ERROR }),
    z.string().regex(/^\d+(\.\d+)?%$/, { error: SERIAL_ERROR }),
  ], { error: SERIAL_ERROR }).optional(),
  strategy: z.enum(["free", "linear"], { error: 'expected "free" or "linear"' }).optional(),
  hosts: z.union([
    z.record(z.string(), dataMap.nullable()),
    z.array(z.union([z.string(), z.record(z.string(), dataMap.nullable())])),
  ]).optional(),
  groups: z.record(
    z.string(),
    z.strictObject({ hosts: z.array(z.string()).optional(), data: dataMap.optional() }),
  ).optional(),
  data: dataMap.optional(),
  connectors: z.array(z.string()).optional(),
  allow_read: z.array(z.string()).optional(),
  allow_write: z.array(z.string()).optional(),
  boats: z.array(z.strictObject({
    provider: z.string(),
    config: dataMap.optional(),
    optional: z.boolean().optional(),
    name: z.string().optional(),
  })).optional(),
  restrictions: z.strictObject({
    allow_list: restrictionMap.optional(),
    black_list: restrictionMap.optional(),
  }).optional(),
});

/** A boat entry of a fleet. */
export interface BoatSpec {
  provider: string;
  config: Record<string, unknown>;
  optional: boolean;
  name?: string;
  /** Where it was declared, for messages. */
  source: string;
  /** The fleet file's directory, for relative paths. */
  dir: string;
}

/** One host entry of a fleet file. */
export interface FleetHostEntry {
  name: string;
  data: Record<string, unknown>;
  /** `file:line:column` of the entry. */
  source: string;
  /** Its key path in the document (for positions of its data keys). */
  path?: (string | number)[];
}

/** A parsed and validated fleet file. */
export interface FleetFile {
  path: string;
  dir: string;
  parallelism?: number;
  /** Hosts per batch (`--serial`): a number or a percentage such as "40%". */
  serial?: number | string;
  /** `free` or `linear` (`--strategy`). */
  strategy?: "free" | "linear";
  hosts: FleetHostEntry[];
  groups: { name: string; hosts: string[]; data: Record<string, unknown>; source: string }[];
  data: Record<string, unknown>;
  connectors: string[];
  /** `allow_read:`/`allow_write:` resolved against the fleet file's directory. */
  allowRead: string[];
  allowWrite: string[];
  boats: BoatSpec[];
  restrictions: {
    allow_list?: Record<string, Record<string, boolean>>;
    black_list?: Record<string, Record<string, boolean>>;
  };
  /** Keys outside `fleet:`: configuration for deploys. */
  config: Record<string, unknown>;
  /** `file:line:column` of a key path, for later messages. */
  where(path: readonly (string | number)[]): string;
}

/** How fleet files reach the outside world. */
export interface FleetIo {
  /** Reads an environment variable; undefined when unset or not allowed. */
  env: (name: string) => string | undefined;
  /** Reads a text file. */
  readText: (path: string) => string;
  /** The fleet file's absolute directory (default: from `path`). */
  dir?: string;
}

function tags(io: FleetIo, dir: string): YAML.ScalarTag[] {
  return [
    {
      tag: "!env",
      resolve(value: string, onError: (message: string) => void) {
        const [name, fallback] = value.includes(":-")
          ? value.split(/:-(.*)/s, 2)
          : [value, undefined];
        const found = io.env(name.trim());
        if (found !== undefined) return found;
        if (fallback !== undefined) return fallback;
        onError(
          `!env ${name.trim()}: the variable is not set (or skiff may not read it: only HOME, USER, LOGNAME, ` +
            `SSH_AUTH_SOCK, TERM and SKIFF_* variables are visible); give a default with !env ${name.trim()}:-VALUE`,
        );
        return "";
      },
    },
    {
      tag: "!file",
      resolve(value: string, onError: (message: string) => void) {
        const path = value.startsWith("/") ? value : `${dir}/${value}`;
        try {
          return io.readText(path);
        } catch (error) {
          onError(`!file ${value}: cannot read ${path}: ${(error as Error).message}`);
          return "";
        }
      },
    },
    {
      tag: "!secret",
      resolve(value: string) {
        return new SecretValue(value) as unknown as string;
      },
    },
  ];
}

function position(
  doc: Document,
  counter: LineCounter,
  path: readonly (string | number)[],
): { line: number; col: number } {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const node = (prefix.length === 0 ? doc.contents : doc.getIn(prefix, true)) as Node | undefined;
    if (node?.range) {
      // For a missing or unknown key, point at the key itself when we can.
      if (length === path.length && length > 0) {
        const parent = (length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)) as
          | Node
          | undefined;
        if (isMap(parent)) {
          const pair = parent.items.find((item) =>
            (item.key as { value?: unknown })?.value === path[length - 1]
          );
          const key = pair?.key as Node | undefined;
          if (key?.range) return counter.linePos(key.range[0]);
        }
      }
      return counter.linePos(node.range[0]);
    }
  }
  return { line: 1, col: 1 };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) =>
    typeof part === "number" ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`
  )
    .join("");
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected === "int" ? "integer" : issue.expected}, got ${
        describeValue(value)
      }`;
    case "too_small":
      return `expected at least ${issue.minimum}, got ${describeValue(value)}`;
    default:
      return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const part of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

const FLEET_KEYS = Object.keys(fleetSchema.shape);
const GROUP_KEYS = ["hosts", "data"];
const BOAT_KEYS = ["provider", "config", "optional", "name"];
const RESTRICTION_KEYS = ["allow_list", "black_list"];

function knownKeysFor(path: readonly PropertyKey[]): string[] {
  if (path.length === 1) return FLEET_KEYS;
  if (path[1] === "groups" && path.length === 3) return GROUP_KEYS;
  if (path[1] === "boats" && path.length === 3) return BOAT_KEYS;
  if (path[1] === "restrictions" && path.length === 2) return RESTRICTION_KEYS;
  return [];
}

/**
 * Parses fleet text. Throws an InputError listing every problem as
 * `FILE:LINE:COL: key.path: message`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { parseFleet } from "./parse.ts";
 * const fleet = parseFleet("fleet:\n  hosts:\n    \"@local\": {}\napp: 1\n", "f.yml", { env: () => undefined, readText: () => "" });
 * deepStrictEqual(fleet.hosts[0].name, "@local");
 * ```
 */
export function parseFleet(text: string, path: string, io: FleetIo): FleetFile {
  const dir = io.dir ?? (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".");
  const counter = new LineCounter();
  const doc = YAML.parseDocument(text, {
    lineCounter: counter,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: tags(io, dir),
  });
  const errors: string[] = [];
  for (const error of doc.errors) {
    const pos = counter.linePos(error.pos[0]);
    const message = error.code === "DUPLICATE_KEY"
      ? "duplicate key"
      : error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, "");
    errors.push(`${path}:${pos.line}:${pos.col}: ${message}`);
  }
  if (errors.length > 0) throw new InputError(errors.join("\n"));
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) {
    throw new InputError(`${path}:1:1: the file is empty: expected a fleet: key`);
  }
  if (typeof root !== "object" || Array.isArray(root)) {
    throw new InputError(
      `${path}:1:1: expected a map with a fleet: key, got ${describeValue(root)}`,
    );
  }
  const record = root as Record<string, unknown>;
  if (!("fleet" in record)) {
    throw new InputError(
      `${path}:1:1: no fleet: key${hint("fleet", Object.keys(record))}${
        Object.keys(record).length ? ` (top-level keys are ${Object.keys(record).join(", ")})` : ""
      }`,
    );
  }
  const where = (keyPath: readonly (string | number)[]) => {
    const pos = position(doc, counter, keyPath);
    return `${path}:${pos.line}:${pos.col}`;
  };
  const result = fleetSchema.safeParse(record.fleet ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) {
      const keyPath = ["fleet", ...issue.path];
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          const full = [...keyPath, key] as (string | number)[];
          errors.push(
            `${where(full)}: ${formatPath(full)}: unknown key${
              hint(key, knownKeysFor(full.slice(0, -1)))
            }`,
          );
        }
        continue;
      }
      if (issue.code === "invalid_union" && (issue.path[0] === "hosts")) {
        errors.push(
          `${where(keyPath as (string | number)[])}: ${
            formatPath(keyPath)
          }: expected a map of host name to data, or a list of host names`,
        );
        continue;
      }
      const value = valueAt(record.fleet, issue.path);
      errors.push(
        `${where(keyPath as (string | number)[])}: ${formatPath(keyPath)}: ${
          describeIssue(issue, value)
        }`,
      );
    }
    throw new InputError(errors.join("\n"));
  }
  const fleet = result.data;
  const hosts: FleetHostEntry[] = [];
  if (Array.isArray(fleet.hosts)) {
    fleet.hosts.forEach((entry, index) => {
      if (typeof entry === "string") {
        hosts.push({ name: entry, data: {}, source: where(["fleet", "hosts", index]) });
        return;
      }
      const names = Object.keys(entry);
      if (names.length !== 1) {
        errors.push(
          `${
            where(["fleet", "hosts", index])
          }: fleet.hosts[${index}]: expected one host name per list item`,
        );
        return;
      }
      hosts.push({
        name: names[0],
        data: entry[names[0]] ?? {},
        source: where(["fleet", "hosts", index, names[0]]),
      });
    });
  } else {
    for (const [name, data] of Object.entries(fleet.hosts ?? {})) {
      hosts.push({ name, data: data ?? {}, source: where(["fleet", "hosts", name]) });
    }
  }
  const seen = new Map<string, string>();
  for (const host of hosts) {
    const earlier = seen.get(host.name);
    if (earlier) {
      errors.push(`${host.source}: host "${host.name}" is defined twice (first at ${earlier})`);
    }
    seen.set(host.name, host.source);
  }
  if (errors.length > 0) throw new InputError(errors.join("\n"));
  const config = { ...record };
  delete config.fleet;
  return {
    path,
    dir,
    parallelism: fleet.parallelism,
    serial: fleet.serial,
    strategy: fleet.strategy,
    hosts,
    groups: Object.entries(fleet.groups ?? {}).map(([name, group]) => ({
      name,
      hosts: group.hosts ?? [],
      data: group.data ?? {},
      source: where(["fleet", "groups", name]),
    })),
    data: fleet.data ?? {},
    connectors: (fleet.connectors ?? []).map((p) => p.startsWith("/") ? p : `${dir}/${p}`),
    allowRead: (fleet.allow_read ?? []).map((p) => p.startsWith("/") ? p : `${dir}/${p}`),
    allowWrite: (fleet.allow_write ?? []).map((p) => p.startsWith("/") ? p : `${dir}/${p}`),
    boats: (fleet.boats ?? []).map((boat, index) => ({
      provider: boat.provider,
      config: boat.config ?? {},
      optional: boat.optional ?? false,
      name: boat.name,
      source: where(["fleet", "boats", index]),
      dir,
    })),
    restrictions: fleet.restrictions ?? {},
    config,
    where,
  };
}

/**
 * The fleet format as JSON Schema (for yaml-language-server and editors),
 * with the data keys of `connectors` and the control arguments.
 */
export function fleetJsonSchema(
  connectors: readonly SchemaConnector[] = [],
): Record<string, unknown> {
  const inner = z.toJSONSchema(fleetSchema, { unrepresentable: "any" }) as Record<string, unknown>;
  delete inner.$schema;
  const { fleet, defs } = withDataKeys(inner, connectors);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "skiff fleet file",
    type: "object",
    required: ["fleet"],
    properties: { fleet },
    additionalProperties: true,
    $defs: defs,
  };
}
