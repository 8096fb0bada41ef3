/**
 * Attribute and item lookup as Jinja2 does it (`d.items` is the method,
 * `d['items']` the key), Python's string, list and dict methods, slicing,
 * and the globals `range`, `dict` and `namespace`.
 *
 * @module
 */

import {
  eq,
  isDict,
  iter,
  Namespace,
  num,
  PyFn,
  PyTuple,
  repr,
  str,
  TemplateError,
  Undef,
} from "./py.ts";

type Method = (self: never, args: unknown[], kw: Record<string, unknown>) => unknown;

function strip(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? " \t\n\r\f\v" : str(chars);
  let a = 0, b = s.length;
  while (left && a < b && set.includes(s[a])) a++;
  while (right && b > a && set.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function split(s: string, sep: unknown, max: unknown): string[] {
  const limit = max === undefined ? -1 : num(max);
  if (sep === undefined || sep === null) {
    const parts = s.trim().split(/\s+/).filter((x) => x !== "");
    if (limit < 0 || parts.length <= limit + 1) return parts;
    const head = parts.slice(0, limit);
    let rest = s.trim();
    for (const h of head) rest = rest.slice(rest.indexOf(h) + h.length).replace(/^\s+/, "");
    return [...head, rest];
  }
  const parts = s.split(str(sep));
  if (limit < 0 || parts.length <= limit + 1) return parts;
  return [...parts.slice(0, limit), parts.slice(limit).join(str(sep))];
}

/** Python's `str.format` with `{}`, `{0}` and `{name}` fields. */
export function strFormat(s: string, args: unknown[], kw: Record<string, unknown>): string {
  let next = 0;
  return s.replace(
    /\{\{|\}\}|\{([^{}:!]*)(?:![rs])?(?::([^{}]*))?\}/g,
    (m, field?: string, spec?: string) => {
      if (m === "{{") return "{";
      if (m === "}}") return "}";
      const v = field === "" || field === undefined
        ? args[next++]
        : /^\d+$/.test(field)
        ? args[Number(field)]
        : kw[field];
      if (!spec) return str(v);
      const fm = /^(<|>|\^)?(\d+)?(?:\.(\d+))?([dfs])?$/.exec(spec);
      if (!fm) return str(v);
      const text = fm[4] === "f" ? num(v).toFixed(Number(fm[3] ?? 6)) : str(v);
      const width = Number(fm[2] ?? 0);
      const align = fm[1] ?? (typeof v === "number" ? ">" : "<");
      return align === ">" ? text.padStart(width) : text.padEnd(width);
    },
  );
}

const STR: Record<string, Method> = {
  upper: (s: string) => s.toUpperCase(),
  lower: (s: string) => s.toLowerCase(),
  strip: (s: string, [c]) => strip(s, c, true, true),
  lstrip: (s: string, [c]) => strip(s, c, true, false),
  rstrip: (s: string, [c]) => strip(s, c, false, true),
  split: (s: string, [sep, max], kw) => split(s, sep ?? kw.sep, max ?? kw.maxsplit),
  splitlines: (s: string) =>
    s.split(/\r\n|\n|\r/).filter((x, i, a) => i < a.length - 1 || x !== ""),
  startswith: (s: string, [p]) => (Array.isArray(p) ? p : [p]).some((x) => s.startsWith(str(x))),
  endswith: (s: string, [p]) => (Array.isArray(p) ? p : [p]).some((x) => s.endsWith(str(x))),
  replace: (s: string, [a, b, count]) => {
    if (count === undefined) return s.split(str(a)).join(str(b));
    const parts = s.split(str(a));
    const n = num(count);
    return parts.slice(0, n + 1).join(str(b)) +
      (parts.length > n + 1 ? str(a) + parts.slice(n + 1).join(str(a)) : "");
  },
  join: (s: string, [xs]) => iter(xs).map((x) => str(x)).join(s),
  format: (s: string, args, kw) => strFormat(s, args, kw),
  title: (s: string) =>
    s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_, a, b: string) => a + b.toUpperCase()),
  capitalize: (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  find: (s: string, [x]) => s.indexOf(str(x)),
  index: (s: string, [x]) => {
    const at = s.indexOf(str(x));
    if (at < 0) throw new TemplateError("substring not found");
    return at;
  },
  count: (s: string, [x]) => s.split(str(x)).length - 1,
  isdigit: (s: string) => /^\d+$/.test(s),
  isalpha: (s: string) => /^[A-Za-z]+$/.test(s),
  isalnum: (s: string) => /^[A-Za-z0-9]+$/.test(s),
  isupper: (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  islower: (s: string) => /[a-z]/.test(s) && s === s.toLowerCase(),
  zfill: (s: string, [w]) => s.padStart(num(w), "0"),
  center: (s: string, [w]) => center(s, num(w)),
  ljust: (s: string, [w, f]) => s.padEnd(num(w), f === undefined ? " " : str(f)),
  rjust: (s: string, [w, f]) => s.padStart(num(w), f === undefined ? " " : str(f)),
  partition: (s: string, [sep]) => {
    const at = s.indexOf(str(sep));
    return PyTuple.of_(
      at < 0 ? [s, "", ""] : [s.slice(0, at), str(sep), s.slice(at + str(sep).length)],
    );
  },
};

/** Python's `str.center`. */
export function center(s: string, width: number): string {
  const pad = width - s.length;
  if (pad <= 0) return s;
  const left = Math.floor(pad / 2) + (pad & width & 1);
  return " ".repeat(left) + s + " ".repeat(pad - left);
}

const LIST: Record<string, Method> = {
  append: (xs: unknown[], [x]) => (xs.push(x), null),
  extend: (xs: unknown[], [ys]) => (xs.push(...iter(ys)), null),
  insert: (xs: unknown[], [at, x]) => (xs.splice(num(at), 0, x), null),
  pop: (xs: unknown[], [at]) => xs.splice(at === undefined ? -1 : num(at), 1)[0] ?? null,
  remove: (xs: unknown[], [x]) => (xs.splice(xs.findIndex((y) => eq(x, y)), 1), null),
  index: (xs: unknown[], [x]) => {
    const at = xs.findIndex((y) => eq(x, y));
    if (at < 0) throw new TemplateError(`${repr(x)} is not in list`);
    return at;
  },
  count: (xs: unknown[], [x]) => xs.filter((y) => eq(x, y)).length,
  copy: (xs: unknown[]) => [...xs],
};

const DICT: Record<string, Method> = {
  items: (d: Record<string, unknown>) => Object.entries(d).map((kv) => PyTuple.of_(kv)),
  keys: (d: Record<string, unknown>) => Object.keys(d),
  values: (d: Record<string, unknown>) => Object.values(d),
  get: (d: Record<string, unknown>, [k, dflt]) =>
    Object.hasOwn(d, str(k)) ? d[str(k)] : dflt ?? null,
  update: (d: Record<string, unknown>, [other], kw) => (Object.assign(d, other ?? {}, kw), null),
  pop: (d: Record<string, unknown>, [k, dflt]) => {
    const v = Object.hasOwn(d, str(k)) ? d[str(k)] : dflt;
    delete d[str(k)];
    return v ?? null;
  },
  setdefault: (
    d: Record<string, unknown>,
    [k, v],
  ) => (Object.hasOwn(d, str(k)) ? d[str(k)] : (d[str(k)] = v ?? null)),
  copy: (d: Record<string, unknown>) => ({ ...d }),
};

function method(self: unknown, table: Record<string, Method>, n: string): PyFn | undefined {
  const m = Object.hasOwn(table, n) ? table[n] : undefined;
  return m && new PyFn(n, (args, kw) => m(self as never, args, kw));
}

/** `obj.n`: the attribute (a method), else the item, else an undefined value. */
export function attribute(obj: unknown, n: string, name: () => string): unknown {
  if (obj instanceof Undef) obj.fail();
  if (obj instanceof Namespace) return Object.hasOwn(obj.vars, n) ? obj.vars[n] : new Undef(name());
  if (typeof obj === "string") return method(obj, STR, n) ?? new Undef(name());
  if (obj instanceof PyTuple && obj.names?.includes(n)) return obj[obj.names.indexOf(n)];
  if (Array.isArray(obj)) return method(obj, LIST, n) ?? new Undef(name());
  if (isDict(obj)) {
    return method(obj, DICT, n) ?? (Object.hasOwn(obj, n) ? obj[n] : new Undef(name()));
  }
  return new Undef(name());
}

/** `obj[key]`: the item, else the attribute, else an undefined value. */
export function item(obj: unknown, key: unknown, name: () => string): unknown {
  if (obj instanceof Undef) obj.fail();
  if (key instanceof Undef) key.fail();
  if ((Array.isArray(obj) || typeof obj === "string") && typeof key === "number") {
    const at = key < 0 ? obj.length + key : key;
    return at >= 0 && at < obj.length ? obj[at] : new Undef(name());
  }
  if (isDict(obj) && Object.hasOwn(obj, str(key))) return obj[str(key)];
  if (typeof key === "string") return attribute(obj, key, name);
  return new Undef(name());
}

/** Python's `obj[a:b:c]` on lists and strings. */
export function slice(obj: unknown, parts: unknown[]): unknown {
  if (obj instanceof Undef) obj.fail();
  if (!Array.isArray(obj) && typeof obj !== "string") {
    throw new TemplateError(`cannot slice a ${typeof obj}`);
  }
  const seq = typeof obj === "string" ? [...obj] : obj;
  const n = seq.length;
  const step = parts[2] === undefined || parts[2] === null ? 1 : num(parts[2]);
  const bound = (v: unknown, dflt: number) => {
    if (v === undefined || v === null) return dflt;
    const x = num(v);
    return x < 0 ? Math.max(x + n, step < 0 ? -1 : 0) : Math.min(x, step < 0 ? n - 1 : n);
  };
  const start = bound(parts[0], step < 0 ? n - 1 : 0);
  const stop = bound(parts[1], step < 0 ? -1 : n);
  const out: unknown[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(seq[i]);
  return typeof obj === "string" ? out.join("") : out;
}

/** The names every template sees. */
export const GLOBALS: Record<string, unknown> = {
  range: new PyFn("range", (args) => {
    const [a, b, c] = args.map(num);
    const [start, stop, step] = args.length === 1 ? [0, a, 1] : [a, b, c ?? 1];
    const out: number[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
    return out;
  }),
  dict: new PyFn("dict", (args, kw) => ({ ...(isDict(args[0]) ? args[0] : {}), ...kw })),
  namespace: new PyFn(
    "namespace",
    (args, kw) => new Namespace({ ...(isDict(args[0]) ? args[0] : {}), ...kw }),
  ),
};
