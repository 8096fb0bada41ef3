/**
 * Ansible's filters and tests (ansible-core 2.14), built in: `comment`,
 * `bool`, `ternary`, `mandatory`, `to_json`, `to_nice_json`, `to_yaml`,
 * `to_nice_yaml`, `quote`, `regex_*`, `b64encode`/`b64decode`, the set
 * filters, `combine`, `dict2items`, `flatten`, and the tests `version`,
 * `match`, `search`, `subset`, `truthy`.
 *
 * @module
 */

import { dumpJson, dumpYaml } from "./dump.ts";
import { arg, attrPath, needString } from "./filters.ts";
import type { Filter, Test } from "./render.ts";
import { cmp, contains, eq, isDict, iter, str, TemplateError, truthy, Undef } from "./py.ts";

const COMMENT_STYLES: Record<string, Record<string, string>> = {
  plain: { decoration: "# " },
  erlang: { decoration: "% " },
  c: { decoration: "// " },
  cblock: { beginning: "/*", decoration: " * ", end: " */" },
  xml: { beginning: "<!--", decoration: " - ", end: "-->" },
};

function comment(text: string, style: string, kw: Record<string, unknown>): string {
  const styleParams = COMMENT_STYLES[style];
  if (!styleParams) throw new TemplateError(`unknown comment style '${style}'`);
  const prepostfix = Object.hasOwn(kw, "decoration") ? str(kw.decoration) : styleParams.decoration;
  const p: Record<string, unknown> = {
    newline: "\n",
    beginning: "",
    prefix: prepostfix.trimEnd(),
    prefix_count: 1,
    decoration: "",
    postfix: prepostfix.trimEnd(),
    postfix_count: 1,
    end: "",
    ...styleParams,
    ...kw,
  };
  const s = (k: string) => str(p[k]);
  const newline = s("newline");
  const beginning = truthy(p.beginning) ? `${s("beginning")}${newline}` : "";
  let prefix = "";
  if (truthy(p.prefix)) {
    prefix = (s("prefix") !== newline ? `${s("prefix")}${newline}` : newline)
      .repeat(Number(p.prefix_count));
  }
  const decoration = s("decoration");
  const body = `${decoration}${text.replaceAll(newline, `${newline}${decoration}`)}`
    .replaceAll(`${decoration}${newline}`, `${decoration.trimEnd()}${newline}`);
  const postfix = ["", ...Array(Number(p.postfix_count)).fill(s("postfix"))].join(newline);
  const end = truthy(p.end) ? `${newline}${s("end")}` : "";
  return `${beginning}${prefix}${body}${postfix}${end}`;
}

/** Ansible's `bool`: 'yes', 'on', '1', 'true' and 1 are true, None stays None. */
function toBool(v: unknown): unknown {
  if (v === null || typeof v === "boolean") return v;
  const x = typeof v === "string" ? v.toLowerCase() : v;
  return ["yes", "on", "1", "true"].includes(x as string) || x === 1;
}

/** A Python regular expression as a JavaScript one. */
function pyRegex(pattern: string, flags: string): RegExp {
  const source = pattern.replace(/\(\?P<(\w+)>/g, "(?<$1>").replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/\\A/g, "^").replace(/\\Z/g, "$");
  return new RegExp(source, flags);
}

function reFlags(args: unknown[], kw: Record<string, unknown>, at: number): string {
  return (truthy(arg(args, kw, at, "ignorecase", false)) ? "i" : "") +
    (truthy(arg(args, kw, at + 1, "multiline", false)) ? "m" : "");
}

/** A Python `re.sub` replacement (`\1`, `\g<name>`) in JavaScript's spelling. */
function pyReplacement(s: string): string {
  return s.replaceAll("$", "$$").replace(
    /\\(\d+)|\\g<(\w+)>/g,
    (_, n?: string, g?: string) =>
      n !== undefined ? `$${n}` : /^\d+$/.test(g!) ? `$${g}` : `$<${g}>`,
  );
}

function utf8Base64(s: string): string {
  return btoa(Array.from(new TextEncoder().encode(s), (b) => String.fromCharCode(b)).join(""));
}

function fromBase64(s: string): string {
  const bytes = Uint8Array.from(atob(s.trim()), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * Python's `shlex.quote`.
 *
 * @example
 * ```ts
 * import { shlexQuote } from "./ansible.ts";
 * const text = [shlexQuote("plain"), shlexQuote("a b"), shlexQuote("it's")].join(" ");
 * if (text !== `plain 'a b' 'it'"'"'s'`) throw new Error(text);
 * ```
 */
export function shlexQuote(s: string): string {
  if (s === "") return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

function unique(xs: unknown[]): unknown[] {
  return xs.filter((x, i) => xs.findIndex((y) => eq(x, y)) === i);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>, recursive: boolean) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = recursive && isDict(out[k]) && isDict(v)
      ? merge(out[k] as Record<string, unknown>, v, true)
      : v;
  }
  return out;
}

function flatten(xs: unknown[], levels: number | undefined): unknown[] {
  return xs.flatMap((x) =>
    Array.isArray(x) && levels !== 0
      ? flatten(x, levels === undefined ? undefined : levels - 1)
      : x === null
      ? []
      : [x]
  );
}

/** distutils' LooseVersion components: numbers as numbers, the rest as strings. */
function looseParts(v: string): unknown[] {
  return v.split(/(\d+|[a-z]+|\.)/i).filter((x) => x && x !== ".").map((x) =>
    /^\d+$/.test(x) ? Number(x) : x
  );
}

/** Ansible's `version` test (loose versions, operators `<`, `lt`, `==`, `eq`, …). */
function version(v: unknown, args: unknown[], kw: Record<string, unknown>): boolean {
  const other = str(arg(args, kw, 0, "version"));
  const op = str(arg(args, kw, 1, "operator", "eq"));
  const a = looseParts(str(v));
  const b = looseParts(other);
  let c = 0;
  for (let i = 0; i < Math.min(a.length, b.length) && c === 0; i++) {
    if (typeof a[i] !== typeof b[i]) {
      throw new TemplateError(`cannot compare versions '${str(v)}' and '${other}'`);
    }
    c = cmp(a[i], b[i]);
  }
  if (c === 0) c = a.length - b.length;
  const ops: Record<string, boolean> = {
    "==": c === 0,
    "=": c === 0,
    eq: c === 0,
    "!=": c !== 0,
    "<>": c !== 0,
    ne: c !== 0,
    "<": c < 0,
    lt: c < 0,
    "<=": c <= 0,
    le: c <= 0,
    ">": c > 0,
    gt: c > 0,
    ">=": c >= 0,
    ge: c >= 0,
  };
  if (!Object.hasOwn(ops, op)) throw new TemplateError(`invalid version operator '${op}'`);
  return ops[op];
}

/** Ansible's filters. */
export const ANSIBLE_FILTERS: Record<string, Filter> = {
  b64decode: (v) => fromBase64(needString(v, "b64decode")),
  b64encode: (v) => utf8Base64(str(v)),
  basename: (v) => str(v).slice(str(v).lastIndexOf("/") + 1),
  bool: (v) => toBool(v),
  combine: (v, args, kw) =>
    [v, ...args].flat().reduce<Record<string, unknown>>(
      (acc, d) => merge(acc, d as Record<string, unknown>, truthy(kw.recursive)),
      {},
    ),
  comment: (v, args, kw) => comment(str(v), str(arg(args, {}, 0, "style", "plain")), kw),
  dict2items: (v, args, kw) => {
    const [k, val] = [
      str(arg(args, kw, 0, "key_name", "key")),
      str(arg(args, kw, 1, "value_name", "value")),
    ];
    return Object.entries(v as Record<string, unknown>).map(([a, b]) => ({ [k]: a, [val]: b }));
  },
  difference: (v, [other]) => unique(iter(v).filter((x) => !contains(iter(other), x))),
  dirname: (v) => {
    const s = str(v);
    const at = s.lastIndexOf("/");
    return at < 0 ? "" : s.slice(0, at).replace(/(.)\/+$/, "$1") || "/";
  },
  extract: (v, [container, more]) => {
    let got = attrPath(container, v);
    for (const k of more === undefined ? [] : Array.isArray(more) ? more : [more]) {
      got = attrPath(got, k);
    }
    return got;
  },
  flatten: (v, args, kw) => flatten(iter(v), arg(args, kw, 0, "levels") as number | undefined),
  from_json: (v) => JSON.parse(str(v)),
  intersect: (v, [other]) => unique(iter(v).filter((x) => contains(iter(other), x))),
  items2dict: (v, args, kw) => {
    const [k, val] = [
      str(arg(args, kw, 0, "key_name", "key")),
      str(arg(args, kw, 1, "value_name", "value")),
    ];
    return Object.fromEntries(iter(v).map((x) => [str(attrPath(x, k)), attrPath(x, val)]));
  },
  mandatory: (v, args, kw) => {
    if (!(v instanceof Undef)) return v;
    const msg = arg(args, kw, 0, "msg");
    throw new TemplateError(
      msg === undefined ? `mandatory variable '${v.name}' not defined` : str(msg),
    );
  },
  path_join: (v) =>
    (Array.isArray(v) ? v.map(str) : [str(v)]).reduce(
      (a, b) => (b.startsWith("/") || !a ? b : `${a.replace(/\/$/, "")}/${b}`),
      "",
    ),
  quote: (v) => shlexQuote(v === null ? "None" : str(v)),
  regex_escape: (v) => str(v).replace(/[^\w]/g, "\\$&"),
  regex_findall: (v, args, kw) =>
    [...str(v).matchAll(pyRegex(str(args[0]), `g${reFlags(args, kw, 1)}`))].map((m) =>
      m.length > 2 ? m.slice(1) : m[m.length > 1 ? 1 : 0]
    ),
  regex_replace: (v, args, kw) => {
    const pattern = str(arg(args, kw, 0, "pattern", ""));
    const replacement = str(arg(args, kw, 1, "replacement", ""));
    const flags = `g${reFlags(args, kw, 2)}`;
    return str(v).replace(pyRegex(pattern, flags), pyReplacement(replacement));
  },
  regex_search: (v, args, kw) => {
    const m = pyRegex(str(args[0]), reFlags(args, kw, 99)).exec(str(v));
    return m ? m[0] : null;
  },
  splitext: (v) => {
    const s = str(v);
    const m = /^(.*[^/.])(\.[^./]*)$/.exec(s);
    return m ? [m[1], m[2]] : [s, ""];
  },
  symmetric_difference: (v, [other]) =>
    unique([
      ...iter(v).filter((x) => !contains(iter(other), x)),
      ...iter(other).filter((x) => !contains(iter(v), x)),
    ]),
  ternary: (v, args, kw) => {
    const none = arg(args, kw, 2, "none_val", null);
    if (v === null && none !== null) return none;
    return truthy(v) ? arg(args, kw, 0, "true_val") : arg(args, kw, 1, "false_val");
  },
  to_json: (v, _args, kw) =>
    dumpJson(v, {
      sortKeys: truthy(kw.sort_keys),
      indent: kw.indent as number | undefined,
      ensureAscii: kw.ensure_ascii === undefined || truthy(kw.ensure_ascii),
    }),
  to_nice_json: (v, args, kw) =>
    dumpJson(v, {
      sortKeys: kw.sort_keys === undefined || truthy(kw.sort_keys),
      indent: Number(arg(args, kw, 0, "indent", 4)),
      separators: [",", ": "],
      ensureAscii: kw.ensure_ascii === undefined || truthy(kw.ensure_ascii),
    }),
  to_nice_yaml: (v, args, kw) =>
    dumpYaml(v, { indent: Number(arg(args, kw, 0, "indent", 4)), flow: false }),
  to_yaml: (v, _args, kw) =>
    dumpYaml(v, {
      indent: Number(kw.indent ?? 2),
      flow: kw.default_flow_style === undefined || kw.default_flow_style === null,
    }),
  type_debug: (
    v,
  ) => (v === null
    ? "NoneType"
    : Array.isArray(v)
    ? "list"
    : isDict(v)
    ? "dict"
    : typeof v === "string"
    ? "str"
    : typeof v === "boolean"
    ? "bool"
    : "int"),
  union: (v, [other]) => unique([...iter(v), ...iter(other)]),
  zip: (v, args) =>
    iter(v).map((x, i) => [x, ...args.map((a) => iter(a)[i])]).filter((row) =>
      row.every((x) => x !== undefined)
    ),
};

/** Ansible's tests. */
export const ANSIBLE_TESTS: Record<string, Test> = {
  all: (v) => iter(v).every(truthy),
  any: (v) => iter(v).some(truthy),
  contains: (v, [x]) => contains(v, x),
  falsy: (v, _args, kw) => !truthy(truthy(kw.convert_bool) ? toBool(v) : v),
  match: (v, args, kw) => pyRegex(`^(?:${str(args[0])})`, reFlags(args, kw, 1)).test(str(v)),
  regex: (v, args, kw) => pyRegex(str(args[0]), reFlags(args, kw, 1)).test(str(v)),
  search: (v, args, kw) => pyRegex(str(args[0]), reFlags(args, kw, 1)).test(str(v)),
  subset: (v, [x]) => iter(v).every((y) => contains(iter(x), y)),
  superset: (v, [x]) => iter(x).every((y) => contains(iter(v), y)),
  truthy: (v, _args, kw) => truthy(truthy(kw.convert_bool) ? toBool(v) : v),
  version: version,
  version_compare: version,
};
