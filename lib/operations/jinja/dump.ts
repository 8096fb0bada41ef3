// deno-lint-ignore-file no-control-regex
/**
 * JSON and YAML text as Python's `json.dumps` and PyYAML's `yaml.dump`
 * write them, for `to_json`, `to_nice_json`, `tojson`, `to_yaml` and
 * `to_nice_yaml`: key order, separators, `ensure_ascii`, float spelling,
 * PyYAML's indentless sequences and its quoting of strings that would read
 * back as another type.
 *
 * @module
 */

import { isDict, isNum, num, PyFloat, str, TemplateError, Undef } from "./py.ts";

/** How `json.dumps` was called. */
export interface JsonOptions {
  /** Spaces per level; none writes one line. */
  indent?: number;
  /** Sort object keys. */
  sortKeys?: boolean;
  /** Item and key separators (default as Python picks them). */
  separators?: [string, string];
  /** Escape non-ASCII characters (Python's default). */
  ensureAscii?: boolean;
}

function jsonString(s: string, ascii: boolean): string {
  return `"${
    s.replace(/[\\"\u0000-\u001f\u007f-\uffff]/g, (c) => {
      if (c === "\\" || c === '"') return `\\${c}`;
      const named: Record<string, string> = {
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
        "\b": "\\b",
        "\f": "\\f",
      };
      if (named[c]) return named[c];
      if (!ascii && c.charCodeAt(0) > 0x7f) return c;
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    })
  }"`;
}

/**
 * Python's `json.dumps(value, …)`.
 *
 * @example
 * ```ts
 * import { dumpJson } from "./dump.ts";
 * const text = dumpJson({ b: [1, null], a: "café" }, { sortKeys: true });
 * if (text !== '{"a": "caf\\u00e9", "b": [1, null]}') throw new Error(text);
 * ```
 */
export function dumpJson(value: unknown, options: JsonOptions = {}): string {
  const { indent, sortKeys = false, ensureAscii = true } = options;
  const [item, key] = options.separators ?? (indent === undefined ? [", ", ": "] : [",", ": "]);
  const walk = (v: unknown, depth: number): string => {
    if (v instanceof Undef) v.fail();
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return String(v);
    if (isNum(v)) {
      const n = num(v);
      if (Number.isNaN(n)) return "NaN";
      if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
      return str(v);
    }
    if (typeof v === "string") return jsonString(v, ensureAscii);
    const open = indent === undefined ? "" : `\n${" ".repeat(indent * (depth + 1))}`;
    const close = indent === undefined ? "" : `\n${" ".repeat(indent * depth)}`;
    if (Array.isArray(v)) {
      if (!v.length) return "[]";
      return `[${open}${v.map((x) => walk(x, depth + 1)).join(item + open)}${close}]`;
    }
    if (isDict(v)) {
      const keys = Object.keys(v);
      if (!keys.length) return "{}";
      if (sortKeys) keys.sort();
      const body = keys.map((k) => `${jsonString(k, ensureAscii)}${key}${walk(v[k], depth + 1)}`);
      return `{${open}${body.join(item + open)}${close}}`;
    }
    throw new TemplateError(`object of type '${typeof v}' is not JSON serializable`);
  };
  return walk(value, 0);
}

const IMPLICIT = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  /^(?:<<|=)$/,
];

/** Characters PyYAML (with `allow_unicode`) only writes double-quoted. */
const SPECIAL = /[^\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\ud800-\udfff]|\ufeff/;

/**
 * PyYAML's plain or single-quoted scalar writer: folds at a single space
 * once the line is past 80 columns, and writes line breaks as blank lines.
 */
function fold(text: string, column: number, indent: number, quoted: boolean): string {
  let out = quoted ? "'" : "";
  let col = column + out.length;
  const runs = text.match(/ +|\n+|[^ \n]+/g) ?? [];
  runs.forEach((run, i) => {
    if (run[0] === " ") {
      const inner = !quoted || (i > 0 && i < runs.length - 1);
      if (run.length === 1 && col > 80 && inner) {
        out += `\n${" ".repeat(indent)}`;
        col = indent;
      } else {
        out += run;
        col += run.length;
      }
    } else if (run[0] === "\n") {
      out += `\n${run}${" ".repeat(indent)}`;
      col = indent;
    } else {
      const word = quoted ? run.replaceAll("'", "''") : run;
      out += word;
      col += word.length;
    }
  });
  return quoted ? `${out}'` : out;
}

/** A string as PyYAML writes it: plain when it reads back as the same string, else quoted. */
function yamlString(s: string, flow: boolean, column = 0, indent = 2): string {
  const multiline = s.includes("\n");
  let plain = s !== "" && !IMPLICIT.some((re) => re.test(s)) && !/^\s|\s$/.test(s) &&
    !multiline && !SPECIAL.test(s) &&
    !/^[#,[\]{}&*!|>'"%@`]/.test(s) && !/^[-?:](\s|$)/.test(s) && !/: |:$| #/.test(s);
  if (flow && /[,?[\]{}]/.test(s)) plain = false;
  if (plain) return flow ? s : fold(s, column, indent, false);
  if (SPECIAL.test(s) || / \n|\n /.test(s) || (multiline && (flow || column < 0))) {
    return dumpJson(s, { ensureAscii: false });
  }
  return flow ? `'${s.replaceAll("'", "''")}'` : fold(s, column, indent, true);
}

function yamlScalar(v: unknown, flow: boolean, column = 0, indent = 2): string {
  if (v instanceof Undef) v.fail();
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number" && Number.isInteger(v)) return String(v);
  if (isNum(v)) {
    const n = num(v);
    if (Number.isNaN(n)) return ".nan";
    if (!Number.isFinite(n)) return n > 0 ? ".inf" : "-.inf";
    const text = str(v instanceof PyFloat ? v : n).toLowerCase();
    return !text.includes(".") && text.includes("e") ? text.replace("e", ".0e") : text;
  }
  if (typeof v === "string") return yamlString(v, flow, column, indent);
  throw new TemplateError(`cannot represent ${typeof v} as YAML`);
}

const isCollection = (v: unknown) => Array.isArray(v) || isDict(v);

/** Whether PyYAML (with `default_flow_style=None`) writes `v` in flow style. */
function flowable(v: unknown, auto: boolean): boolean {
  if (!isCollection(v)) return false;
  const items = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  return items.length === 0 || (auto && !items.some(isCollection));
}

function flowText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowText).join(", ")}]`;
  if (isDict(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${yamlString(k, true)}: ${flowText(v[k])}`).join(", ")}}`;
  }
  return yamlScalar(v, true);
}

/**
 * PyYAML's `yaml.dump(value, indent=…, default_flow_style=…)` with sorted keys.
 *
 * @example
 * ```ts
 * import { dumpYaml } from "./dump.ts";
 * const text = dumpYaml({ users: [{ name: "ann" }], mode: "0755" }, { indent: 4 });
 * if (text !== "mode: '0755'\nusers:\n-   name: ann\n") throw new Error(text);
 * ```
 */
export function dumpYaml(
  value: unknown,
  options: { indent?: number; flow?: boolean } = {},
): string {
  const step = options.indent ?? 2;
  const auto = options.flow ?? false;
  const lines: string[] = [];
  /** Writes `v` as a block node; `head` is what already stands on its first line. */
  const block = (v: unknown, column: number, head: string | undefined): void => {
    const entries: [string | undefined, unknown][] = Array.isArray(v)
      ? v.map((x) => [undefined, x])
      : Object.keys(v as Record<string, unknown>).sort().map((
        k,
      ) => [k, (v as Record<string, unknown>)[k]]);
    entries.forEach(([k, x], i) => {
      const pad = i === 0 && head !== undefined ? head : " ".repeat(column);
      const lead = k === undefined ? `${pad}-` : `${pad}${yamlString(k, false, -1)}:`;
      if (!isCollection(x) || flowable(x, auto)) {
        const value = isCollection(x)
          ? flowText(x)
          : yamlScalar(x, false, lead.length + 1, column + step);
        lines.push(`${lead} ${value}`);
      } else if (k === undefined) {
        block(x, column + step, `${lead}${" ".repeat(step - 1)}`);
      } else {
        lines.push(lead);
        block(x, Array.isArray(x) ? column : column + step, undefined);
      }
    });
  };
  if (!isCollection(value)) return `${yamlScalar(value, false, 0, step)}\n`;
  if (flowable(value, auto)) return `${flowText(value)}\n`;
  block(value, 0, undefined);
  return `${lines.join("\n")}\n`;
}
