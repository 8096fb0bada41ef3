/**
 * The JSON Schema of fleet data: every connector's data keys and the control
 * arguments with their type, description, default and allowed values, so an
 * editor completes `ssh_*` keys with their docs and marks a wrong type, a
 * misspelt key of a connector (`ssh_prot`) or an unknown `@connector` host.
 * Other keys (the deploy's own data) stay free.
 *
 * @module
 */

import type { DataMeta } from "../core/data_meta.ts";
import { CONTROL_ARGUMENTS } from "../core/arguments.ts";

/** What the schema needs of a connector class. */
export interface SchemaConnector {
  readonly connectorName: string;
  readonly dataMeta: Readonly<Record<string, DataMeta>>;
}

type Json = Record<string, unknown>;

/** Escapes text for a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The JSON Schema of one value of `meta`'s type (text that spells it, as `!env` gives, too). */
function valueSchema(meta: DataMeta): Json {
  const alternatives: Json[] = [];
  switch (meta.type ?? "any") {
    case "string":
      alternatives.push(meta.choices ? { enum: [...meta.choices] } : { type: "string" });
      break;
    case "integer":
      alternatives.push({ type: "integer" }, { type: "string", pattern: "^\\s*[+-]?\\d+\\s*$" });
      break;
    case "number":
      alternatives.push({ type: "number" }, {
        type: "string",
        pattern: "^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*$",
      });
      break;
    case "boolean":
      alternatives.push({ type: "boolean" }, { enum: ["true", "false"] });
      break;
    case "string[]":
      alternatives.push({ type: "string" }, { type: "array", items: { type: "string" } });
      break;
    case "integer[]":
      alternatives.push({ type: "integer" }, { type: "array", items: { type: "integer" } });
      break;
    case "string-map":
      alternatives.push({
        type: "object",
        additionalProperties: { type: ["string", "number", "boolean"] },
      });
      break;
    case "any":
      alternatives.push({});
      break;
  }
  if (meta.nullable) alternatives.push({ type: "null" });
  const out: Json = alternatives.length === 1 ? alternatives[0] : { anyOf: alternatives };
  return {
    description: meta.description,
    ...(meta.default !== undefined ? { default: meta.default } : {}),
    ...out,
  };
}

/**
 * The schema of a `data` map: the known keys typed and documented; any other
 * key with a connector's prefix (`ssh_`) or the control prefix `_` refused.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { dataSchema } from "./data_schema.ts";
 * const schema = dataSchema([{ connectorName: "demo", dataMeta: { demo_port: { description: "Port", type: "integer", default: 22 } } }]);
 * deepStrictEqual((schema.properties as Record<string, unknown>).demo_port, {
 *   description: "Port",
 *   default: 22,
 *   anyOf: [{ type: "integer" }, { type: "string", pattern: "^\\s*[+-]?\\d+\\s*$" }],
 * });
 * ```
 */
export function dataSchema(connectors: readonly SchemaConnector[]): Json {
  const metas: Record<string, DataMeta> = { ...CONTROL_ARGUMENTS };
  for (const connector of connectors) Object.assign(metas, connector.dataMeta);
  const properties: Json = {};
  for (const [key, meta] of Object.entries(metas).sort(([a], [b]) => a.localeCompare(b))) {
    properties[key] = valueSchema(meta);
  }
  const known = Object.keys(properties).map(literal).join("|");
  const prefixes = ["_", ...connectors.map((c) => `${literal(c.connectorName)}_`)].join("|");
  return {
    type: "object",
    properties,
    // A key with a connector's or the control prefix that is none of theirs is a typo.
    patternProperties: { [`^(?!(${known})$)(${prefixes})`]: false },
  };
}

/**
 * The schema of a host name: a plain name, or `@connector` / `@connector/…`
 * of a known connector.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { hostNameSchema } from "./data_schema.ts";
 * deepStrictEqual(hostNameSchema([{ connectorName: "ssh", dataMeta: {} }]), {
 *   type: "string",
 *   anyOf: [{ not: { pattern: "^@" } }, { pattern: "^@(ssh)(/|$)" }],
 * });
 * ```
 */
export function hostNameSchema(connectors: readonly SchemaConnector[]): Json {
  const names = connectors.map((c) => literal(c.connectorName)).join("|");
  return { type: "string", anyOf: [{ not: { pattern: "^@" } }, { pattern: `^@(${names})(/|$)` }] };
}

/**
 * `fleetSchema` (the JSON Schema of the `fleet:` key) with its host, group
 * and fleet `data` and its host names made exact for `connectors`.
 */
export function withDataKeys(
  fleetSchema: Json,
  connectors: readonly SchemaConnector[],
): { fleet: Json; defs: Json } {
  const data = { $ref: "#/$defs/data" };
  const hostName = { $ref: "#/$defs/hostName" };
  const hostMap = {
    type: "object",
    propertyNames: hostName,
    additionalProperties: { anyOf: [data, { type: "null" }] },
  };
  const properties = { ...(fleetSchema.properties as Json) };
  const groups = properties.groups as Json;
  const group = groups.additionalProperties as Json;
  properties.data = data;
  properties.hosts = {
    anyOf: [hostMap, { type: "array", items: { anyOf: [hostName, hostMap] } }],
  };
  properties.groups = {
    ...groups,
    additionalProperties: { ...group, properties: { ...(group.properties as Json), data } },
  };
  return {
    fleet: { ...fleetSchema, properties },
    defs: { data: dataSchema(connectors), hostName: hostNameSchema(connectors) },
  };
}
