/**
 * Python's binary and comparison operators on template values.
 *
 * @module
 */

import {
  cmp,
  contains,
  eq,
  isFloat,
  isNum,
  mkNum,
  num,
  percent,
  str,
  TemplateError,
  typeName,
  Undef,
} from "./py.ts";

/** A comparison: `==`, `!=`, `<`, `>`, `<=`, `>=`, `in`, `notin`. */
export function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return eq(a, b);
    case "!=":
      return !eq(a, b);
    case "in":
      return contains(b, a);
    case "notin":
      return !contains(b, a);
    case "<":
      return cmp(a, b) < 0;
    case ">":
      return cmp(a, b) > 0;
    case "<=":
      return cmp(a, b) <= 0;
    default:
      return cmp(a, b) >= 0;
  }
}

/** Python's binary operators (and `~`). */
export function binary(op: string, a: unknown, b: unknown): unknown {
  if (a instanceof Undef) a.fail();
  if (b instanceof Undef) b.fail();
  if (op === "~") return str(a) + str(b);
  const numeric = (isNum(a) || typeof a === "boolean") && (isNum(b) || typeof b === "boolean");
  const float = isFloat(a) || isFloat(b);
  if (numeric) {
    const x = num(a), y = num(b);
    switch (op) {
      case "+":
        return mkNum(x + y, float);
      case "-":
        return mkNum(x - y, float);
      case "*":
        return mkNum(x * y, float);
      case "/":
        return mkNum(x / y, true);
      case "//":
        return mkNum(Math.floor(x / y), float);
      case "%":
        return mkNum(((x % y) + y) % y, float);
      case "**":
        return mkNum(x ** y, float || y < 0);
    }
  }
  if (op === "%" && typeof a === "string") return percent(a, b);
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (op === "+" && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (op === "*" && (typeof a === "string" || Array.isArray(a)) && typeof b === "number") {
    return typeof a === "string" ? a.repeat(Math.max(0, b)) : Array(Math.max(0, b)).fill(a).flat(1);
  }
  if (op === "*" && typeof a === "number" && (typeof b === "string" || Array.isArray(b))) {
    return binary(op, b, a);
  }
  throw new TemplateError(
    `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`,
  );
}
