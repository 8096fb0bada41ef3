/**
 * What a call is shown as in the live view, `--json` and the report: its
 * `_name`, or what it acts on as its operation declares it.
 *
 * @module
 */

import { Command } from "../core/command.ts";
import { OPERATIONS } from "./registry.ts";

/** A command as a subject: masked, its first line only. */
function commandText(value: unknown): string | undefined {
  const text = value instanceof Command ? value.renderMasked() : value;
  if (typeof text !== "string") return undefined;
  const lines = text.trim().split("\n");
  return lines.length > 1 ? `${lines[0]} …` : lines[0];
}

/** Text of a subject: a string or command, or a list shown as its first item and a count. */
function subjectText(value: unknown, list: "all" | "first"): string {
  if (!Array.isArray(value)) return commandText(value) ?? "";
  const texts = value.map(commandText).filter((item) => item !== undefined);
  if (list === "all" || texts.length <= 1) return texts.join(" ");
  return `${texts[0]} (+${texts.length - 1} more)`;
}

/**
 * What a call acts on, as its operation declares it (`OperationSpec.subject`),
 * for the live view and the report. Empty when it names nothing.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { subjectOf } from "./subject.ts";
 * deepStrictEqual(subjectOf("apt.packages", [["nginx", "curl"]]), "nginx curl");
 * deepStrictEqual(subjectOf("server.shell", [["a", "b", "c"]]), "a (+2 more)");
 * ```
 */
export function subjectOf(name: string, args: readonly unknown[]): string {
  const spec = OPERATIONS[name];
  if (!spec) return "";
  const positional = args.slice(0, spec.positional);
  if (typeof spec.subject === "string") {
    const at = spec.params.findIndex((param) => param.into === spec.subject);
    if (at >= 0) return subjectText(args[at], "all");
    const options = args[spec.positional];
    if (typeof options !== "object" || options === null) return "";
    return subjectText((options as Record<string, unknown>)[spec.subject], "all");
  }
  return subjectText(spec.subject ? spec.subject(positional) : positional[0], "first");
}

/**
 * What a call is called in output, events and the report: its `_name`
 * control argument (pyinfra's `name=`), or else its subject
 * ({@linkcode subjectOf}). Not masked: the caller masks it.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { labelOf } from "./subject.ts";
 * deepStrictEqual(labelOf("server.shell", ["make", { _name: "Build the site" }]), "Build the site");
 * deepStrictEqual(labelOf("server.user", ["deploy"]), "deploy");
 * ```
 */
export function labelOf(name: string, args: readonly unknown[]): string {
  const spec = OPERATIONS[name];
  if (!spec) return "";
  for (const extra of args.slice(spec.positional)) {
    if (typeof extra !== "object" || extra === null) continue;
    const given = (extra as Record<string, unknown>)._name;
    if (typeof given === "string" && given.trim() !== "") return given.trim();
  }
  return subjectOf(name, args);
}
