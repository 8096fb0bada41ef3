/**
 * `skiff ops [NAME]`: every operation and fact, from their definitions: the
 * signature and description of each, and for one NAME its parameters,
 * options with types and defaults, and an example. `--json` prints the
 * same as data.
 *
 * @module
 */

import { hint } from "../core/data_meta.ts";
import { InputError } from "../core/errors.ts";
import type { FactDefinition } from "../facts/fact.ts";
import { FACTS } from "../facts/registry.ts";
import { shownDefault } from "../operations/api_text.ts";
import { type OpDefinition, signatureOf } from "../operations/define_op.ts";
import { OPERATION_DEFINITIONS } from "../operations/defs/mod.ts";

/** One operation or fact as `skiff ops --json` prints it. */
export interface OpEntry {
  /** `operation` or `fact`. */
  kind: "operation" | "fact";
  /** Dotted name. */
  name: string;
  /** `files.put(src, dest, {mode, …})`, or `files.stat(path: string): FileStat | null`. */
  signature: string;
  /** One line. */
  description: string;
  /** More prose, when there is. */
  details?: string;
  /** Positional parameters. */
  params: { name: string; type: string; doc: string }[];
  /** Options (operations). */
  options: { name: string; type: string; default?: string; required: boolean; doc: string }[];
  /** A call as a deploy writes it. */
  example: string;
}

function operationEntry(op: OpDefinition): OpEntry {
  return {
    kind: "operation",
    name: op.name,
    signature: signatureOf(op),
    description: op.description,
    ...(op.details ? { details: op.details } : {}),
    params: op.params.map((p) => ({ name: p.name, type: p.schema.ts, doc: p.doc })),
    options: Object.entries(op.optionSpecs).map(([name, option]) => ({
      name,
      type: option.schema.ts,
      ...(option.default === undefined ? {} : { default: shownDefault(option) }),
      required: option.required ?? false,
      doc: option.doc,
    })),
    example: op.example,
  };
}

function factEntry(fact: FactDefinition): OpEntry {
  const signature = fact.signature;
  const params = signature.params === "" ? [] : signature.params.split(", ").map((param) => {
    const [name, type] = param.split(/\??: /);
    return { name, type, doc: "" };
  });
  const args = params.map((p) => p.name).join(", ");
  return {
    kind: "fact",
    name: fact.name,
    signature: `${fact.name}(${signature.params}): ${signature.returns}`,
    description: signature.description,
    params,
    options: [],
    example: `await facts.${fact.name}(${args ? args.replace(/\w+/g, (n) => `"${n}"`) : ""})`,
  };
}

/**
 * Every operation and fact, or the one named (an InputError names the
 * nearest when there is none).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { opEntries } from "./ops_cmd.ts";
 * strictEqual(opEntries("files.put")[0].signature, "files.put(src, dest, {mode, user, group, createRemoteDir})");
 * ```
 */
export function opEntries(name?: string): OpEntry[] {
  const all = [
    ...OPERATION_DEFINITIONS.map(operationEntry),
    ...Object.values(FACTS).map(factEntry),
  ];
  if (name === undefined) return all;
  const found = all.filter((entry) => entry.name === name);
  if (found.length === 0) {
    const names = all.map((entry) => entry.name);
    throw new InputError(`skiff ops: no operation or fact "${name}"${hint(name, names)}`);
  }
  return found;
}

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    `${indent}${
      row.map((cell, i) => i < row.length - 1 ? cell.padEnd(widths[i]) : cell).join("  ")
    }`
      .trimEnd()
  );
}

function detail(entry: OpEntry): string {
  const lines = [`${entry.signature}`, `  ${entry.description}`];
  if (entry.details) lines.push(`  ${entry.details}`);
  if (entry.params.length > 0 && entry.kind === "operation") {
    lines.push("", "  Parameters:");
    lines.push(...table(entry.params.map((p) => [p.name, p.type, p.doc]), "    "));
  }
  if (entry.options.length > 0) {
    lines.push("", "  Options (control arguments such as _sudo may sit beside them):");
    lines.push(
      ...table(
        entry.options.map((o) => [
          o.name,
          o.type,
          o.required ? "required" : o.default ?? "-",
          o.doc,
        ]),
        "    ",
      ),
    );
  }
  lines.push("", `  Example: ${entry.example}`);
  return lines.join("\n") + "\n";
}

/**
 * The text of `skiff ops [NAME]`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { opsText } from "./ops_cmd.ts";
 * strictEqual(opsText().startsWith("Operations (skiff ops NAME for options and an example):\n"), true);
 * ```
 */
export function opsText(name?: string): string {
  const entries = opEntries(name);
  if (name !== undefined) return entries.map(detail).join("\n");
  const section = (kind: OpEntry["kind"]) =>
    table(
      entries.filter((e) => e.kind === kind).map((e) => [e.signature, e.description]),
      "  ",
    );
  return [
    "Operations (skiff ops NAME for options and an example):",
    ...section("operation"),
    "",
    "Facts (facts.NAME(...) in a deploy, skiff facts TARGET NAME:ARG on the command line):",
    ...section("fact"),
  ].join("\n") + "\n";
}
