/**
 * Jinja2's expression grammar: conditional expressions, `or`/`and`/`not`,
 * comparisons, `in`, `~`, arithmetic, filters, tests with arguments,
 * calls with keyword arguments, attributes, subscripts and slices, and
 * literals (lists, tuples, dicts, `True`/`False`/`None`).
 *
 * @module
 */

import { type Token, tokenize } from "./lexer.ts";
import { PyFloat, TemplateError } from "./py.ts";

/** A parsed expression. */
export type Expr =
  | { t: "lit"; v: unknown }
  | { t: "name"; n: string }
  | { t: "list" | "tuple"; items: Expr[] }
  | { t: "dict"; pairs: [Expr, Expr][] }
  | { t: "attr"; obj: Expr; n: string }
  | { t: "item"; obj: Expr; key: Expr }
  | { t: "slice"; obj: Expr; parts: (Expr | undefined)[] }
  | { t: "call"; fn: Expr; args: Expr[]; kw: [string, Expr][] }
  | { t: "filter"; obj: Expr | undefined; n: string; args: Expr[]; kw: [string, Expr][] }
  | { t: "test"; obj: Expr; n: string; args: Expr[]; kw: [string, Expr][]; neg: boolean }
  | { t: "bin"; op: string; a: Expr; b: Expr }
  | { t: "un"; op: string; a: Expr }
  | { t: "cmp"; first: Expr; ops: [string, Expr][] }
  | { t: "cond"; test: Expr; a: Expr; b: Expr | undefined };

const CMP = new Set(["==", "!=", "<", ">", "<=", ">="]);
const LITERALS: Record<string, unknown> = {
  true: true,
  True: true,
  false: false,
  False: false,
  none: null,
  None: null,
};

/** A cursor over expression tokens. */
export class ExprParser {
  #tokens: Token[];
  #i = 0;
  constructor(src: string) {
    this.#tokens = tokenize(src);
  }
  /** The current token. */
  get peek(): Token {
    return this.#tokens[this.#i];
  }
  /** The token after the current one. */
  get peek2(): Token {
    return this.#tokens[Math.min(this.#i + 1, this.#tokens.length - 1)];
  }
  /** Takes the current token. */
  next(): Token {
    return this.#tokens[this.#i < this.#tokens.length - 1 ? this.#i++ : this.#i];
  }
  /** Whether the current token is `value` (an operator or a name). */
  is(value: string): boolean {
    const t = this.peek;
    return (t.type === "op" || t.type === "name") && t.value === value;
  }
  /** Takes the current token if it is `value`. */
  skip(value: string): boolean {
    if (!this.is(value)) return false;
    this.next();
    return true;
  }
  /** Takes `value` or fails. */
  expect(value: string): void {
    if (!this.skip(value)) {
      throw new TemplateError(`expected '${value}', found ${this.describe()}`);
    }
  }
  /** Takes a name or fails. */
  name(): string {
    const t = this.next();
    if (t.type !== "name") throw new TemplateError(`expected a name, found '${t.value}'`);
    return t.value;
  }
  /** The current token, for messages. */
  describe(): string {
    const t = this.peek;
    return t.type === "end" ? "the end of the tag" : `'${t.value}'`;
  }
  /** Fails unless every token was read. */
  end(): void {
    if (this.peek.type !== "end") throw new TemplateError(`unexpected ${this.describe()}`);
  }

  /** A full expression, a bare tuple when `tuple` (`a, b`), without `x if y` when not `cond`. */
  expr(tuple = false, cond = true): Expr {
    const item = () => (cond ? this.cond() : this.or());
    const first = item();
    if (!tuple || !this.is(",")) return first;
    const items = [first];
    while (this.skip(",")) {
      if (this.peek.type === "end" || this.is(")") || this.is("%")) break;
      items.push(item());
    }
    return { t: "tuple", items };
  }
  /** `a if cond else b`. */
  cond(): Expr {
    const a = this.or();
    if (!this.skip("if")) return a;
    const test = this.or();
    return { t: "cond", test, a, b: this.skip("else") ? this.cond() : undefined };
  }
  /** An expression without the conditional form (`for … in xs if cond`). */
  or(): Expr {
    let a = this.and();
    while (this.skip("or")) a = { t: "bin", op: "or", a, b: this.and() };
    return a;
  }
  and(): Expr {
    let a = this.not();
    while (this.skip("and")) a = { t: "bin", op: "and", a, b: this.not() };
    return a;
  }
  not(): Expr {
    if (this.skip("not")) return { t: "un", op: "not", a: this.not() };
    return this.compare();
  }
  compare(): Expr {
    const first = this.concat();
    const ops: [string, Expr][] = [];
    for (;;) {
      const t = this.peek;
      if (t.type === "op" && CMP.has(t.value)) {
        this.next();
        ops.push([t.value, this.concat()]);
      } else if (this.is("in")) {
        this.next();
        ops.push(["in", this.concat()]);
      } else if (this.is("not") && this.peek2.value === "in") {
        this.next();
        this.next();
        ops.push(["notin", this.concat()]);
      } else break;
    }
    return ops.length ? { t: "cmp", first, ops } : first;
  }
  concat(): Expr {
    let a = this.sum();
    while (this.skip("~")) a = { t: "bin", op: "~", a, b: this.sum() };
    return a;
  }
  sum(): Expr {
    let a = this.product();
    while (this.is("+") || this.is("-")) {
      a = { t: "bin", op: this.next().value, a, b: this.product() };
    }
    return a;
  }
  product(): Expr {
    let a = this.pow();
    while (this.is("*") || this.is("/") || this.is("//") || this.is("%")) {
      a = { t: "bin", op: this.next().value, a, b: this.pow() };
    }
    return a;
  }
  pow(): Expr {
    let a = this.unary();
    while (this.skip("**")) a = { t: "bin", op: "**", a, b: this.unary() };
    return a;
  }
  unary(withFilter = true): Expr {
    let node: Expr;
    if (this.is("-") || this.is("+")) {
      const op = this.next().value;
      node = { t: "un", op, a: this.unary(false) };
    } else node = this.postfix(this.primary());
    return withFilter ? this.filters(node) : node;
  }
  /** Filters, tests and calls after a value. */
  filters(node: Expr): Expr {
    for (;;) {
      if (this.skip("|")) node = this.filter(node);
      else if (this.skip("is")) {
        const neg = this.skip("not");
        let n = this.name();
        while (this.skip(".")) n += `.${this.name()}`;
        let args: Expr[] = [];
        let kw: [string, Expr][] = [];
        const t = this.peek;
        if (this.is("(")) [args, kw] = this.callArgs();
        else if (
          ["str", "int", "float"].includes(t.type) || this.is("[") || this.is("{") ||
          (t.type === "name" && !["else", "or", "and", "if", "is", "in", "not"].includes(t.value))
        ) args = [this.postfix(this.primary())];
        node = { t: "test", obj: node, n, args, kw, neg };
      } else if (this.is("(")) {
        const [args, kw] = this.callArgs();
        node = { t: "call", fn: node, args, kw };
      } else return node;
    }
  }
  /** One filter after `|` (`obj` undefined in `{% filter %}`). */
  filter(obj: Expr | undefined): Expr {
    let n = this.name();
    while (this.skip(".")) n += `.${this.name()}`;
    const [args, kw] = this.is("(") ? this.callArgs() : [[], []];
    return { t: "filter", obj, n, args, kw };
  }
  /** `(a, b, key=c)`. */
  callArgs(): [Expr[], [string, Expr][]] {
    this.expect("(");
    const args: Expr[] = [];
    const kw: [string, Expr][] = [];
    while (!this.skip(")")) {
      if (kw.length || args.length) this.expect(",");
      if (this.skip(")")) break;
      if (this.peek.type === "name" && this.peek2.value === "=" && this.peek2.type === "op") {
        const key = this.name();
        this.next();
        kw.push([key, this.expr()]);
      } else args.push(this.expr());
    }
    return [args, kw];
  }
  postfix(node: Expr): Expr {
    for (;;) {
      if (this.skip(".")) {
        const t = this.next();
        if (t.type === "int") {
          node = { t: "item", obj: node, key: { t: "lit", v: Number(t.value) } };
        } else if (t.type === "name") node = { t: "attr", obj: node, n: t.value };
        else throw new TemplateError(`expected an attribute name after '.'`);
      } else if (this.skip("[")) {
        const parts: (Expr | undefined)[] = [];
        let slice = false;
        let current: Expr | undefined;
        while (!this.skip("]")) {
          if (this.skip(":")) {
            slice = true;
            parts.push(current);
            current = undefined;
          } else current = this.expr(true);
        }
        parts.push(current);
        node = slice ? { t: "slice", obj: node, parts } : { t: "item", obj: node, key: current! };
      } else if (this.is("(")) {
        const [args, kw] = this.callArgs();
        node = { t: "call", fn: node, args, kw };
      } else return node;
    }
  }
  primary(): Expr {
    const t = this.next();
    if (t.type === "name") {
      return Object.hasOwn(LITERALS, t.value)
        ? { t: "lit", v: LITERALS[t.value] }
        : { t: "name", n: t.value };
    }
    if (t.type === "str") {
      let v = t.value;
      while (this.peek.type === "str") v += this.next().value;
      return { t: "lit", v };
    }
    if (t.type === "int") return { t: "lit", v: Number(t.value) };
    if (t.type === "float") {
      const v = Number(t.value);
      return { t: "lit", v: Number.isInteger(v) ? new PyFloat(v) : v };
    }
    if (t.type === "op" && t.value === "(") {
      if (this.skip(")")) return { t: "tuple", items: [] };
      const e = this.expr();
      if (!this.is(",")) {
        this.expect(")");
        return e;
      }
      const items = [e];
      while (this.skip(",") && !this.is(")")) items.push(this.expr());
      this.expect(")");
      return { t: "tuple", items };
    }
    if (t.type === "op" && t.value === "[") {
      const items: Expr[] = [];
      while (!this.skip("]")) {
        if (items.length) this.expect(",");
        if (this.skip("]")) break;
        items.push(this.expr());
      }
      return { t: "list", items };
    }
    if (t.type === "op" && t.value === "{") {
      const pairs: [Expr, Expr][] = [];
      while (!this.skip("}")) {
        if (pairs.length) this.expect(",");
        if (this.skip("}")) break;
        const key = this.expr();
        this.expect(":");
        pairs.push([key, this.expr()]);
      }
      return { t: "dict", pairs };
    }
    throw new TemplateError(
      t.type === "end" ? "expected an expression" : `unexpected '${t.value}'`,
    );
  }
}
