/**
 * Python's value semantics for the Jinja2 engine: `str()`, `repr()`,
 * truthiness, equality and ordering by value, and the `%` operator, so a
 * template renders `True`, `[1, 'a']` and `1.0` as Python does.
 *
 * Values are JavaScript values: `null` is None, arrays are lists (and
 * tuples), plain objects are dicts; integral floats are {@link PyFloat}.
 *
 * @module
 */

/** A template error: the message, and where it happened once known. */
export class TemplateError extends Error {
  /** 1-based line and column of the tag, when known. */
  at?: { line: number; column: number; tag: string; file?: string };
  /** An undefined value was used (the message names it). */
  undefinedName?: string;
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "TemplateError";
  }
}

/** A float whose value is integral (`1.0`), kept apart from the int `1`. */
export class PyFloat {
  /** The number. */
  readonly v: number;
  constructor(v: number) {
    this.v = v;
  }
}

/** An undefined value: an error wherever it is used, except `default` and `is defined`. */
export class Undef {
  /** What was undefined, as the template spelled it. */
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  /** Throws the error naming the undefined value. */
  fail(): never {
    const error = new TemplateError(`undefined variable '${this.name}'`);
    error.undefinedName = this.name;
    throw error;
  }
}

/** A callable: macros, methods, globals and `loop.cycle`. */
export class PyFn {
  /** The callable's name. */
  readonly name: string;
  /** Calls it with positional and keyword arguments. */
  readonly call: (args: unknown[], kw: Record<string, unknown>) => unknown;
  constructor(name: string, call: (args: unknown[], kw: Record<string, unknown>) => unknown) {
    this.name = name;
    this.call = call;
  }
}

/** `namespace()`: attributes that `{% set ns.x = … %}` may change from inside a loop. */
export class Namespace {
  /** The attributes. */
  readonly vars: Record<string, unknown>;
  constructor(vars: Record<string, unknown>) {
    this.vars = vars;
  }
}

/** A Python tuple: a list that prints as `(1, 2)`. */
export class PyTuple extends Array<unknown> {
  /** Field names of a named tuple (`groupby`'s `grouper` and `list`). */
  names?: readonly string[];
  /** A tuple of `items`, named when `names` are given. */
  static of_(items: readonly unknown[], names?: readonly string[]): PyTuple {
    const t = new PyTuple();
    t.push(...items);
    if (names) t.names = names;
    return t;
  }
}

/** Whether `v` is a Python dict (a plain object). */
export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype;
}

/** Whether `v` is a Python int or float. */
export function isNum(v: unknown): v is number | PyFloat {
  return typeof v === "number" || v instanceof PyFloat;
}

/** Whether `v` is a float. */
export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
}

/** The number in an int, float or bool. */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Undef) v.fail();
  throw new TemplateError(`expected a number, got ${typeName(v)}`);
}

/** A number result, a float when `float` (integral floats are wrapped). */
export function mkNum(x: number, float: boolean): number | PyFloat {
  return float && Number.isInteger(x) ? new PyFloat(x) : x;
}

/** Python's type name of a value, for messages. */
export function typeName(v: unknown): string {
  if (v === null) return "NoneType";
  if (v instanceof Undef) return "Undefined";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (isNum(v)) return isFloat(v) ? "float" : "int";
  if (v instanceof PyTuple) return "tuple";
  if (Array.isArray(v)) return "list";
  if (isDict(v)) return "dict";
  if (v instanceof PyFn) return "function";
  return typeof v;
}

/** Python's `repr()` of a float. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mantissa, exp] = x.toExponential().split("e");
    const sign = exp.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exp.replace(/^[-+]/, "").padStart(2, "0")}`;
  }
  const text = Object.is(x, -0) ? "-0" : String(x);
  return Number.isInteger(x) ? `${text}.0` : text;
}

/** Python's `repr()` of a string. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = s.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll("\r", "\\r")
    .replaceAll("\t", "\\t");
  if (quote === "'") body = body.replaceAll("'", "\\'");
  return `${quote}${body}${quote}`;
}

/** Python's `repr()`. */
export function repr(v: unknown): string {
  if (typeof v === "string") return strRepr(v);
  if (v instanceof PyTuple) {
    return v.length === 1 ? `(${repr(v[0])},)` : `(${v.map(repr).join(", ")})`;
  }
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (isDict(v)) {
    return `{${Object.entries(v).map(([k, x]) => `${strRepr(k)}: ${repr(x)}`).join(", ")}}`;
  }
  return str(v);
}

/**
 * Python's `str()`.
 *
 * @example
 * ```ts
 * import { PyFloat, str } from "./py.ts";
 * const text = [str(true), str([1, "a", null]), str({ k: new PyFloat(1) })].join(" ");
 * if (text !== "True [1, 'a', None] {'k': 1.0}") throw new Error(text);
 * ```
 */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (v instanceof Undef) v.fail();
  if (Array.isArray(v) || isDict(v)) return repr(v);
  if (v instanceof Namespace) return `<Namespace ${repr(v.vars)}>`;
  if (v instanceof PyFn) return `<function ${v.name}>`;
  if (v === undefined) return "None";
  return String(v);
}

/** Python's truthiness. */
export function truthy(v: unknown): boolean {
  if (v instanceof Undef) return false;
  if (v === null || v === undefined || v === false || v === "") return false;
  if (isNum(v)) return num(v) !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/** Python's `==`: by value for lists and dicts, `1 == 1.0`. */
export function eq(a: unknown, b: unknown): boolean {
  if (a instanceof Undef || b instanceof Undef) return a === b;
  if ((isNum(a) || typeof a === "boolean") && (isNum(b) || typeof b === "boolean")) {
    return num(a) === num(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => eq(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && eq(a[k], b[k]));
  }
  return a === b;
}

/** Python's ordering (`<` is `cmp(a, b) < 0`) for numbers, strings and lists. */
export function cmp(a: unknown, b: unknown): number {
  if ((isNum(a) || typeof a === "boolean") && (isNum(b) || typeof b === "boolean")) {
    return num(a) - num(b);
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = cmp(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (a instanceof Undef) a.fail();
  if (b instanceof Undef) b.fail();
  throw new TemplateError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
}

/** Python's `in`. */
export function contains(container: unknown, item: unknown): boolean {
  if (typeof container === "string") return container.includes(str(item));
  if (Array.isArray(container)) return container.some((x) => eq(x, item));
  if (isDict(container)) return typeof item === "string" && Object.hasOwn(container, item);
  if (container instanceof Undef) container.fail();
  throw new TemplateError(`argument of type '${typeName(container)}' is not iterable`);
}

/** The items a value iterates over (a dict's keys, a string's characters). */
export function iter(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isDict(v)) return Object.keys(v);
  if (typeof v === "string") return [...v];
  if (v instanceof Undef) v.fail();
  throw new TemplateError(`'${typeName(v)}' object is not iterable`);
}

/**
 * Python's `fmt % args` (`%s %r %d %i %f %x %o %e %%`, flags, width, precision, `%(name)s`).
 *
 * @example
 * ```ts
 * import { percent } from "./py.ts";
 * const text = percent("%-4s|%05.1f|", ["ab", 3.14159]) + percent("%(m)03d", { m: 7 });
 * if (text !== "ab  |003.1|007") throw new Error(text);
 * ```
 */
export function percent(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let next = 0;
  const out = fmt.replace(
    /%(\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sridfFxXoeEgc%])/g,
    (_m, _k, key: string | undefined, flags: string, width?: string, prec?: string, kind = "") => {
      if (kind === "%") return "%";
      let value: unknown;
      if (key !== undefined) value = isDict(args) ? args[key] : undefined;
      else if (next < list.length) value = list[next++];
      else throw new TemplateError("not enough arguments for format string");
      let text: string;
      const p = prec === undefined ? undefined : Number(prec);
      if (kind === "s") text = p === undefined ? str(value) : str(value).slice(0, p);
      else if (kind === "r") text = repr(value);
      else if (kind === "c") {
        text = typeof value === "string" ? value : String.fromCharCode(num(value));
      } else {
        const n = num(value);
        if (kind === "d" || kind === "i") text = String(Math.trunc(n));
        else if (kind === "f" || kind === "F") text = n.toFixed(p ?? 6);
        else if (kind === "x" || kind === "X") text = Math.trunc(n).toString(16);
        else if (kind === "o") text = Math.trunc(n).toString(8);
        else if (kind === "e" || kind === "E") {
          text = n.toExponential(p ?? 6).replace(/e([-+])(\d)$/, "e$10$2");
        } else text = str(mkNum(n, true));
        if (kind === "X" || kind === "E") text = text.toUpperCase();
        if (flags.includes("+") && n >= 0) text = `+${text}`;
      }
      const w = width === undefined || width === "*" ? 0 : Number(width);
      if (flags.includes("-")) return text.padEnd(w);
      if (flags.includes("0") && kind !== "s") {
        const sign = /^[-+]/.test(text) ? text[0] : "";
        return sign + text.slice(sign.length).padStart(w - sign.length, "0");
      }
      return text.padStart(w);
    },
  );
  if (!isDict(args) && next < list.length) {
    throw new TemplateError("not all arguments converted during string formatting");
  }
  return out;
}
