/**
 * Jinja2's built-in filters and tests, with Jinja2 3.1's arguments and
 * results (`indent(width, first, blank)`, case-insensitive `sort`,
 * `unique`, `min`, `max`, Python's banker's `round`).
 *
 * @module
 */

import { dumpJson } from "./dump.ts";
import { center, item, strFormat } from "./methods.ts";
import type { Filter, Renderer, Test } from "./render.ts";
import {
  cmp,
  contains,
  eq,
  isDict,
  isFloat,
  isNum,
  iter,
  mkNum,
  num,
  percent,
  PyFloat,
  PyFn,
  PyTuple,
  str,
  TemplateError,
  truthy,
  Undef,
} from "./py.ts";

/** Argument `i` or keyword `name`, else `dflt`. */
export function arg(
  args: unknown[],
  kw: Record<string, unknown>,
  i: number,
  name: string,
  dflt?: unknown,
): unknown {
  if (i < args.length) return args[i];
  return Object.hasOwn(kw, name) ? kw[name] : dflt;
}

/** `x.a.b` for a dotted attribute, or `x[0]` for a number. */
export function attrPath(x: unknown, path: unknown): unknown {
  if (typeof path === "number") return item(x, path, () => String(path));
  return str(path).split(".").reduce<unknown>(
    (v, part) => item(v, /^\d+$/.test(part) ? Number(part) : part, () => str(path)),
    x,
  );
}

const fold = (v: unknown, caseSensitive: boolean) =>
  !caseSensitive && typeof v === "string" ? v.toLowerCase() : v;

function keyed(
  args: unknown[],
  kw: Record<string, unknown>,
  csAt: number,
  attrAt: number,
): (x: unknown) => unknown {
  const cs = truthy(arg(args, kw, csAt, "case_sensitive", false));
  const attribute = arg(args, kw, attrAt, "attribute");
  return (x) =>
    fold(attribute === undefined || attribute === null ? x : attrPath(x, attribute), cs);
}

function uniq(xs: unknown[], key: (x: unknown) => unknown): unknown[] {
  const seen: unknown[] = [];
  return xs.filter((x) => {
    const k = key(x);
    if (seen.some((s) => eq(s, k))) return false;
    seen.push(k);
    return true;
  });
}

/** Python's `round(x, n)`: the nearest decimal to the float's exact value, half to even. */
function pyRound(x: number, digits: number): number {
  const d = Math.max(0, Math.min(40, digits));
  const exact = Math.abs(x).toFixed(d + 60);
  const point = exact.indexOf(".");
  if (!/^50*$/.test(exact.slice(point + 1 + d))) return Number(x.toFixed(d));
  const kept = exact.slice(0, point + 1 + d).replace(/\.$/, "");
  const odd = Number(kept.at(-1)) % 2 === 1;
  const magnitude = Number(kept) + (odd ? 10 ** -d : 0);
  return Number((Math.sign(x) * magnitude).toFixed(d));
}

/** Jinja2's `indent`. */
function indent(s: string, width: unknown, first: boolean, blank: boolean): string {
  const pad = typeof width === "string" ? width : " ".repeat(num(width));
  const lines = (s + "\n").split(/\r\n|\n|\r/);
  lines.pop();
  let rv: string;
  if (blank) rv = lines.join(`\n${pad}`);
  else {
    rv = lines.shift() ?? "";
    if (lines.length) rv += "\n" + lines.map((l) => (l ? pad + l : l)).join("\n");
  }
  return first ? pad + rv : rv;
}

function select(env: Renderer, xs: unknown, args: unknown[], attr: boolean, keep: boolean) {
  const [first, ...rest] = args;
  const test = attr ? rest[0] : first;
  const testArgs = attr ? rest.slice(1) : rest;
  return iter(xs).filter((x) => {
    const v = attr ? attrPath(x, first) : x;
    const ok = test === undefined ? truthy(v) : env.test(str(test), v, testArgs);
    return ok === keep;
  });
}

function toInt(v: unknown, dflt: unknown, base = 10): unknown {
  if (isNum(v) || typeof v === "boolean") return Math.trunc(num(v));
  const s = str(v).trim().replaceAll("_", "");
  if (base === 10 && /^[-+]?\d+$/.test(s)) return parseInt(s, 10);
  if (base !== 10 && s !== "") {
    const n = parseInt(s.replace(/^0[xob]/i, ""), base);
    if (!Number.isNaN(n)) return n;
  }
  const f = Number(s);
  return s !== "" && Number.isFinite(f) ? Math.trunc(f) : dflt;
}

function toFloat(v: unknown, dflt: unknown): unknown {
  const f = isNum(v) || typeof v === "boolean" ? num(v) : Number(str(v).trim());
  if (typeof v === "string" && v.trim() === "") return dflt;
  return Number.isNaN(f) ? dflt : mkNum(f, true);
}

/** Jinja2's filters. */
export const JINJA_FILTERS: Record<string, Filter> = {
  abs: (v) => mkNum(Math.abs(num(v)), isFloat(v)),
  attr: (v, [n]) => (isDict(v) ? new Undef(str(n)) : item(v, str(n), () => str(n))),
  batch: (v, args, kw) => {
    const size = num(arg(args, kw, 0, "linecount"));
    const fill = arg(args, kw, 1, "fill_with", null);
    const xs = iter(v);
    const out: unknown[][] = [];
    for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
    const last = out[out.length - 1];
    if (fill !== null && last) { while (last.length < size) last.push(fill); }
    return out;
  },
  capitalize: (v) => str(v).charAt(0).toUpperCase() + str(v).slice(1).toLowerCase(),
  center: (v, args, kw) => center(str(v), num(arg(args, kw, 0, "width", 80))),
  count: (v) => iter(v).length,
  default: (v, args, kw) => {
    const dflt = arg(args, kw, 0, "default_value", "");
    const boolean = truthy(arg(args, kw, 1, "boolean", false));
    return v instanceof Undef || (boolean && !truthy(v)) ? dflt : v;
  },
  dictsort: (v, args, kw) => {
    const cs = truthy(arg(args, kw, 0, "case_sensitive", false));
    const by = arg(args, kw, 1, "by", "key") === "value" ? 1 : 0;
    const reverse = truthy(arg(args, kw, 2, "reverse", false));
    const pairs = Object.entries(v as Record<string, unknown>);
    pairs.sort((a, b) => cmp(fold(a[by], cs), fold(b[by], cs)) * (reverse ? -1 : 1));
    return pairs.map((kv) => PyTuple.of_(kv));
  },
  escape: (v) =>
    str(v).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
      .replaceAll('"', "&#34;").replaceAll("'", "&#39;"),
  first: (v) => iter(v)[0] ?? new Undef("first item"),
  float: (v, args, kw) => toFloat(v, arg(args, kw, 0, "default", new PyFloat(0))),
  format: (v, args, kw) => (Object.keys(kw).length ? percent(str(v), kw) : percent(str(v), args)),
  groupby: (v, args, kw) => {
    const key = (x: unknown) => attrPath(x, arg(args, kw, 0, "attribute"));
    const xs = [...iter(v)].sort((a, b) => cmp(key(a), key(b)));
    const out: [unknown, unknown[]][] = [];
    for (const x of xs) {
      const k = key(x);
      const last = out[out.length - 1];
      if (last && eq(last[0], k)) last[1].push(x);
      else out.push([k, [x]]);
    }
    return out.map((kv) => PyTuple.of_(kv, ["grouper", "list"]));
  },
  indent: (v, args, kw) =>
    indent(
      str(v),
      arg(args, kw, 0, "width", 4),
      truthy(arg(args, kw, 1, "first", false)),
      truthy(arg(args, kw, 2, "blank", false)),
    ),
  int: (v, args, kw) => toInt(v, arg(args, kw, 0, "default", 0), num(arg(args, kw, 1, "base", 10))),
  items: (v) =>
    v instanceof Undef
      ? []
      : Object.entries(v as Record<string, unknown>).map((kv) => PyTuple.of_(kv)),
  join: (v, args, kw) => {
    const attribute = arg(args, kw, 1, "attribute");
    return iter(v).map((x) => str(attribute === undefined ? x : attrPath(x, attribute)))
      .join(str(arg(args, kw, 0, "d", "")));
  },
  last: (v) => iter(v).at(-1) ?? new Undef("last item"),
  length: (v) => (typeof v === "string" ? [...v].length : iter(v).length),
  list: (v) => [...iter(v)],
  lower: (v) => str(v).toLowerCase(),
  map: (v, args, kw, env) => {
    if (Object.hasOwn(kw, "attribute")) {
      return iter(v).map((x) => {
        const got = attrPath(x, kw.attribute);
        return got instanceof Undef && Object.hasOwn(kw, "default") ? kw.default : got;
      });
    }
    const [name, ...rest] = args;
    return iter(v).map((x) => env.filter(str(name), x, rest));
  },
  max: (v, args, kw) => {
    const key = keyed(args, kw, 0, 1);
    return iter(v).reduce((a, b) => (cmp(key(b), key(a)) > 0 ? b : a));
  },
  min: (v, args, kw) => {
    const key = keyed(args, kw, 0, 1);
    return iter(v).reduce((a, b) => (cmp(key(b), key(a)) < 0 ? b : a));
  },
  reject: (v, args, _kw, env) => select(env, v, args, false, false),
  rejectattr: (v, args, _kw, env) => select(env, v, args, true, false),
  replace: (v, args, kw) => {
    const [a, b] = [str(args[0]), str(args[1])];
    const count = arg(args, kw, 2, "count");
    const parts = str(v).split(a);
    if (count === undefined || count === null) return parts.join(b);
    const n = num(count);
    return parts.slice(0, n + 1).join(b) +
      (parts.length > n + 1 ? a + parts.slice(n + 1).join(a) : "");
  },
  reverse: (v) => (typeof v === "string" ? [...v].reverse().join("") : [...iter(v)].reverse()),
  round: (v, args, kw) => {
    const digits = num(arg(args, kw, 0, "precision", 0));
    const method = arg(args, kw, 1, "method", "common");
    const m = 10 ** digits;
    const x = num(v);
    if (method === "common" && typeof v === "number" && Number.isInteger(v) && digits >= 0) {
      return v;
    }
    const r = method === "ceil"
      ? Math.ceil(x * m) / m
      : method === "floor"
      ? Math.floor(x * m) / m
      : pyRound(x, digits);
    return mkNum(r, true);
  },
  safe: (v) => v,
  select: (v, args, _kw, env) => select(env, v, args, false, true),
  selectattr: (v, args, _kw, env) => select(env, v, args, true, true),
  sort: (v, args, kw) => {
    const reverse = truthy(arg(args, kw, 0, "reverse", false));
    const key = keyed(args, kw, 1, 2);
    return [...iter(v)].sort((a, b) => cmp(key(a), key(b)) * (reverse ? -1 : 1));
  },
  string: (v) => str(v),
  sum: (v, args, kw) => {
    const attribute = arg(args, kw, 0, "attribute");
    const start = arg(args, kw, 1, "start", 0);
    return iter(v).reduce<unknown>((acc, x) => {
      const y = attribute === undefined ? x : attrPath(x, attribute);
      return mkNum(num(acc) + num(y), isFloat(acc) || isFloat(y));
    }, start);
  },
  title: (v) =>
    str(v).split(/([-\s({[<]+)/).map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())
      .join(""),
  tojson: (v, args, kw) =>
    dumpJson(v, { sortKeys: true, indent: arg(args, kw, 0, "indent") as number | undefined })
      .replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026")
      .replaceAll("'", "\\u0027"),
  trim: (v, args, kw) => {
    const chars = arg(args, kw, 0, "chars");
    if (chars === undefined || chars === null) return str(v).trim();
    const set = str(chars);
    let s = str(v);
    while (s && set.includes(s[0])) s = s.slice(1);
    while (s && set.includes(s[s.length - 1])) s = s.slice(0, -1);
    return s;
  },
  truncate: (v, args, kw) => {
    const s = str(v);
    const length = num(arg(args, kw, 0, "length", 255));
    const killwords = truthy(arg(args, kw, 1, "killwords", false));
    const end = str(arg(args, kw, 2, "end", "..."));
    const leeway = num(arg(args, kw, 3, "leeway", 5));
    if (s.length <= length + leeway) return s;
    if (killwords) return s.slice(0, length - end.length) + end;
    const cut = s.slice(0, length - end.length);
    const at = cut.lastIndexOf(" ");
    return (at === -1 ? cut : cut.slice(0, at)) + end;
  },
  unique: (v, args, kw) => uniq(iter(v), keyed(args, kw, 0, 1)),
  upper: (v) => str(v).toUpperCase(),
  wordcount: (v) => (str(v).match(/\w+/g) ?? []).length,
};
JINJA_FILTERS.d = JINJA_FILTERS.default;
JINJA_FILTERS.e = JINJA_FILTERS.escape;
JINJA_FILTERS.strformat = (v, args, kw) => strFormat(str(v), args, kw);

/** Jinja2's tests. */
export const JINJA_TESTS: Record<string, Test> = {
  boolean: (v) => typeof v === "boolean",
  callable: (v) => v instanceof PyFn,
  defined: (v) => !(v instanceof Undef),
  divisibleby: (v, [n]) => num(v) % num(n) === 0,
  eq: (v, [x]) => eq(v, x),
  even: (v) => num(v) % 2 === 0,
  false: (v) => v === false,
  float: (v) => isNum(v) && isFloat(v),
  ge: (v, [x]) => cmp(v, x) >= 0,
  gt: (v, [x]) => cmp(v, x) > 0,
  in: (v, [xs]) => contains(xs, v),
  integer: (v) => typeof v === "number" && Number.isInteger(v),
  iterable: (v) => typeof v === "string" || Array.isArray(v) || isDict(v),
  le: (v, [x]) => cmp(v, x) <= 0,
  lower: (v) => typeof v === "string" && v === v.toLowerCase(),
  lt: (v, [x]) => cmp(v, x) < 0,
  mapping: (v) => isDict(v),
  ne: (v, [x]) => !eq(v, x),
  none: (v) => v === null,
  number: (v) => isNum(v),
  odd: (v) => Math.abs(num(v) % 2) === 1,
  sameas: (v, [x]) => v === x,
  sequence: (v) => typeof v === "string" || Array.isArray(v) || isDict(v),
  string: (v) => typeof v === "string",
  true: (v) => v === true,
  undefined: (v) => v instanceof Undef,
  upper: (v) => typeof v === "string" && v === v.toUpperCase(),
};
Object.assign(JINJA_TESTS, {
  "==": JINJA_TESTS.eq,
  equalto: JINJA_TESTS.eq,
  "!=": JINJA_TESTS.ne,
  ">": JINJA_TESTS.gt,
  greaterthan: JINJA_TESTS.gt,
  ">=": JINJA_TESTS.ge,
  "<": JINJA_TESTS.lt,
  lessthan: JINJA_TESTS.lt,
  "<=": JINJA_TESTS.le,
});

/** Raises when `v` is not a string, for messages. */
export function needString(v: unknown, filter: string): string {
  if (v instanceof Undef) v.fail();
  if (typeof v !== "string") throw new TemplateError(`${filter} expects a string`);
  return v;
}
