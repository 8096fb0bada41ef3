/**
 * `skiff connectors [NAME]`: the data keys of each connector with their
 * defaults, and the control arguments every connector accepts.
 *
 * @module
 */

import type { ConnectorClass } from "../../connectors/base.ts";
import type { ConnectorRegistry } from "../../connectors/registry.ts";
import { CONTROL_ARGUMENTS } from "../core/arguments.ts";
import type { DataMeta } from "../core/data_meta.ts";

function formatDefault(meta: DataMeta): string {
  if (meta.default === undefined) return "-";
  return JSON.stringify(meta.default);
}

function formatKeys(entries: [string, DataMeta][], indent: string): string[] {
  if (entries.length === 0) return [`${indent}(no data keys)`];
  const width = Math.max(...entries.map(([key]) => key.length));
  const defaultWidth = Math.max(7, ...entries.map(([, meta]) => formatDefault(meta).length));
  return entries.map(([key, meta]) => {
    const extra = [
      meta.type,
      meta.choices ? `one of ${meta.choices.join("|")}` : "",
      meta.secret ? "secret" : "",
    ]
      .filter(Boolean).join(", ");
    return `${indent}${key.padEnd(width)}  ${
      formatDefault(meta).padEnd(defaultWidth)
    }  ${meta.description}${extra ? ` (${extra})` : ""}`;
  });
}

/** Describes one connector: name, description, data keys with defaults. */
export function describeConnector(cls: ConnectorClass): string {
  const lines = [`@${cls.connectorName}${cls.description ? ` - ${cls.description}` : ""}`];
  lines.push(...formatKeys(Object.entries(cls.dataMeta), "  "));
  return lines.join("\n") + "\n";
}

/** Describes the control arguments with their defaults. */
export function describeControlArguments(): string {
  const lines = [
    "Control arguments (every connector; set per operation, in host data or with CLI flags):",
  ];
  lines.push(...formatKeys(Object.entries(CONTROL_ARGUMENTS), "  "));
  return lines.join("\n") + "\n";
}

/** The text of `skiff connectors [NAME]`. */
export function connectorsText(registry: ConnectorRegistry, name?: string): string {
  const classes = name === undefined ? registry.list() : [registry.get(name.replace(/^@/, ""))];
  return [...classes.map(describeConnector), describeControlArguments()].join("\n");
}
