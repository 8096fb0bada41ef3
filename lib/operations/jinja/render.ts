/**
 * Evaluates parsed templates with Jinja2's semantics: scopes (a `set` in a
 * loop stays in the loop), `loop.*`, macros, includes, template
 * inheritance, and Python operators.
 *
 * @module
 */

import type { Expr } from "./expr_parser.ts";
import { attribute, item, slice } from "./methods.ts";
import { binary, compare } from "./ops.ts";
import { located, type Node, type Target } from "./parser.ts";
import {
  eq,
  isFloat,
  iter,
  mkNum,
  Namespace,
  num,
  PyFn,
  PyTuple,
  str,
  TemplateError,
  truthy,
  Undef,
} from "./py.ts";

/** A filter: the value, positional and keyword arguments, and the renderer (for `map`, `select`). */
export type Filter = (
  value: unknown,
  args: unknown[],
  kw: Record<string, unknown>,
  env: Renderer,
) => unknown;
/** A test (`is defined`, `is version('7.6', '>=')`). */
export type Test = (value: unknown, args: unknown[], kw: Record<string, unknown>) => boolean;

/** What a render needs beyond the template. */
export interface RenderEnv {
  /** Filters by name. */
  filters: Record<string, Filter>;
  /** Tests by name. */
  tests: Record<string, Test>;
  /** Names every template sees (`range`, `dict`, `namespace`). */
  globals: Record<string, unknown>;
  /** `None` prints as '' (Ansible) rather than 'None' (Jinja2). */
  noneAsEmpty: boolean;
  /** Parses the template `name` that `from` includes or extends. */
  load: (name: string, from: string) => { nodes: Node[]; name: string };
}

/** Variables, each scope seeing its parents. */
export class Scope {
  readonly vars: Map<string, unknown> = new Map();
  readonly parent: Scope | undefined;
  constructor(parent?: Scope) {
    this.parent = parent;
  }
  /** The variable `n`, or undefined. */
  lookup(n: string): { v: unknown } | undefined {
    if (this.vars.has(n)) return { v: this.vars.get(n) };
    return this.parent?.lookup(n);
  }
}

/** How an expression names a value, for "undefined variable" messages. */
function nameOf(e: Expr): string {
  if (e.t === "name") return e.n;
  if (e.t === "attr") return `${nameOf(e.obj)}.${e.n}`;
  if (e.t === "item") {
    return `${nameOf(e.obj)}[${e.key.t === "lit" ? JSON.stringify(e.key.v) : "…"}]`;
  }
  if (e.t === "call") return `${nameOf(e.fn)}()`;
  return "value";
}

/** Runs parsed templates. */
export class Renderer {
  readonly env: RenderEnv;
  constructor(env: RenderEnv) {
    this.env = env;
  }

  /** Applies the filter `name`. */
  filter(name: string, value: unknown, args: unknown[], kw: Record<string, unknown> = {}): unknown {
    const f = this.env.filters[name];
    if (!f) throw new TemplateError(`unknown filter '${name}'`);
    return f(value, args, kw, this);
  }
  /** Applies the test `name`. */
  test(name: string, value: unknown, args: unknown[], kw: Record<string, unknown> = {}): boolean {
    const t = this.env.tests[name];
    if (!t) throw new TemplateError(`unknown test '${name}'`);
    return t(value, args, kw);
  }

  /** Renders a template's nodes, following `{% extends %}`. */
  document(nodes: Node[], name: string, scope: Scope): string {
    const blocks = new Map<string, Node[]>();
    for (;;) {
      const parent = nodes.find((n) => n.t === "extends");
      if (!parent || parent.t !== "extends") return this.nodes(nodes, scope, blocks, name);
      const collect = (list: Node[]) => {
        for (const n of list) {
          if (n.t === "block") {
            if (!blocks.has(n.n)) blocks.set(n.n, n.body);
            collect(n.body);
          }
        }
      };
      collect(nodes);
      try {
        const loaded = this.env.load(str(this.eval(parent.e, scope)), name);
        nodes = loaded.nodes;
        name = loaded.name;
      } catch (error) {
        throw located(error, parent.pos);
      }
    }
  }

  /** Renders nodes. */
  nodes(list: Node[], scope: Scope, blocks: Map<string, Node[]>, name: string): string {
    let out = "";
    for (const node of list) {
      if (node.t === "text") {
        out += node.s;
        continue;
      }
      try {
        out += this.node(node, scope, blocks, name);
      } catch (error) {
        throw located(
          error instanceof TemplateError
            ? error
            : new TemplateError(error instanceof Error ? error.message : String(error), error),
          node.pos,
        );
      }
    }
    return out;
  }

  node(node: Node, scope: Scope, blocks: Map<string, Node[]>, name: string): string {
    const body = (list: Node[], s: Scope) => this.nodes(list, s, blocks, name);
    switch (node.t) {
      case "out": {
        const v = this.eval(node.e, scope);
        if (v instanceof Undef) v.fail();
        return v === null && this.env.noneAsEmpty ? "" : str(v);
      }
      case "if": {
        for (const [test, nodes] of node.branches) {
          if (truthy(this.eval(test, scope))) return body(nodes, scope);
        }
        return body(node.else_, scope);
      }
      case "for":
        return this.loop(node, scope, body);
      case "set":
        this.assign(node.target, this.eval(node.e, scope), scope);
        return "";
      case "setblock": {
        let v: unknown = body(node.body, new Scope(scope));
        if (node.filter) v = this.applyFilters(node.filter, v, scope);
        scope.vars.set(node.n, v);
        return "";
      }
      case "with": {
        const inner = new Scope(scope);
        for (const [tgt, e] of node.assigns) this.assign(tgt, this.eval(e, scope), inner);
        return body(node.body, inner);
      }
      case "macro": {
        const params = node.params;
        scope.vars.set(
          node.n,
          new PyFn(node.n, (args, kw) => {
            const local = new Scope(scope);
            params.forEach(([p, dflt], i) => {
              const v = i < args.length
                ? args[i]
                : Object.hasOwn(kw, p)
                ? kw[p]
                : dflt
                ? this.eval(dflt, scope)
                : new Undef(p);
              local.vars.set(p, v);
            });
            return body(node.body, local);
          }),
        );
        return "";
      }
      case "filterblock":
        return str(this.applyFilters(node.filter, body(node.body, new Scope(scope)), scope));
      case "include": {
        let loaded;
        try {
          loaded = this.env.load(str(this.eval(node.e, scope)), name);
        } catch (error) {
          if (node.ignoreMissing) return "";
          throw error;
        }
        return this.document(loaded.nodes, loaded.name, new Scope(scope));
      }
      case "import": {
        // Imported templates see no context, as in Jinja2; their top-level names are exported.
        const loaded = this.env.load(str(this.eval(node.e, scope)), name);
        const module = new Scope();
        this.document(loaded.nodes, loaded.name, module);
        const exports = Object.fromEntries(module.vars);
        if (typeof node.names === "string") scope.vars.set(node.names, exports);
        else {
          for (const [n, as] of node.names) {
            scope.vars.set(as, Object.hasOwn(exports, n) ? exports[n] : new Undef(n));
          }
        }
        return "";
      }
      case "extends":
        return "";
      case "block":
        return body(blocks.get(node.n) ?? node.body, new Scope(scope));
    }
    return "";
  }

  /** A `{% filter %}` chain or a block set's filter, applied to `value`. */
  applyFilters(e: Expr, value: unknown, scope: Scope): unknown {
    if (e.t !== "filter") return value;
    const inner = e.obj ? this.applyFilters(e.obj, value, scope) : value;
    const [args, kw] = this.args(e.args, e.kw, scope);
    return this.filter(e.n, inner, args, kw);
  }

  loop(
    node: Extract<Node, { t: "for" }>,
    scope: Scope,
    body: (list: Node[], s: Scope) => string,
  ): string {
    let items = iter(this.eval(node.iter, scope));
    if (node.cond) {
      const cond = node.cond;
      items = items.filter((x) => {
        const s = new Scope(scope);
        this.assign(node.target, x, s);
        return truthy(this.eval(cond, s));
      });
    }
    if (items.length === 0) return body(node.else_, new Scope(scope));
    let out = "";
    let last: unknown[] = [];
    const changed = new PyFn("changed", (args) => {
      const differs = !eq(args, last);
      last = args;
      return differs;
    });
    items.forEach((x, i) => {
      const s = new Scope(scope);
      const n = items.length;
      s.vars.set("loop", {
        index: i + 1,
        index0: i,
        revindex: n - i,
        revindex0: n - i - 1,
        first: i === 0,
        last: i === n - 1,
        length: n,
        depth: 1,
        depth0: 0,
        previtem: i > 0 ? items[i - 1] : new Undef("loop.previtem"),
        nextitem: i < n - 1 ? items[i + 1] : new Undef("loop.nextitem"),
        cycle: new PyFn("cycle", (args) => args[i % args.length]),
        changed,
      });
      this.assign(node.target, x, s);
      out += body(node.body, s);
    });
    return out;
  }

  assign(target: Target, value: unknown, scope: Scope): void {
    if (target.t === "name") scope.vars.set(target.n, value);
    else if (target.t === "nsattr") {
      const ns = scope.lookup(target.ns)?.v;
      if (!(ns instanceof Namespace)) {
        throw new TemplateError(`cannot assign attribute on non-namespace object '${target.ns}'`);
      }
      ns.vars[target.n] = value;
    } else {
      const values = iter(value);
      if (values.length !== target.items.length) {
        throw new TemplateError(
          `cannot unpack ${values.length} values into ${target.items.length} names`,
        );
      }
      target.items.forEach((t, i) => this.assign(t, values[i], scope));
    }
  }

  args(
    args: Expr[],
    kw: [string, Expr][],
    scope: Scope,
  ): [unknown[], Record<string, unknown>] {
    return [
      args.map((a) => this.eval(a, scope)),
      Object.fromEntries(kw.map(([k, v]) => [k, this.eval(v, scope)])),
    ];
  }

  /** Evaluates an expression; an undefined name gives an {@link Undef}. */
  eval(e: Expr, scope: Scope): unknown {
    switch (e.t) {
      case "lit":
        return e.v;
      case "name": {
        const found = scope.lookup(e.n);
        if (found) return found.v;
        if (Object.hasOwn(this.env.globals, e.n)) return this.env.globals[e.n];
        return new Undef(e.n);
      }
      case "list":
        return e.items.map((x) => this.eval(x, scope));
      case "tuple":
        return PyTuple.of_(e.items.map((x) => this.eval(x, scope)));
      case "dict":
        return Object.fromEntries(
          e.pairs.map(([k, v]) => [str(this.eval(k, scope)), this.eval(v, scope)]),
        );
      case "attr":
        return attribute(this.eval(e.obj, scope), e.n, () => nameOf(e));
      case "item":
        return item(this.eval(e.obj, scope), this.eval(e.key, scope), () => nameOf(e));
      case "slice":
        return slice(this.eval(e.obj, scope), e.parts.map((p) => p && this.eval(p, scope)));
      case "call": {
        const fn = this.eval(e.fn, scope);
        if (fn instanceof Undef) fn.fail();
        if (!(fn instanceof PyFn)) throw new TemplateError(`'${nameOf(e.fn)}' is not callable`);
        const [args, kw] = this.args(e.args, e.kw, scope);
        return fn.call(args, kw);
      }
      case "filter": {
        const [args, kw] = this.args(e.args, e.kw, scope);
        return this.filter(e.n, e.obj ? this.eval(e.obj, scope) : "", args, kw);
      }
      case "test": {
        const [args, kw] = this.args(e.args, e.kw, scope);
        return this.test(e.n, this.eval(e.obj, scope), args, kw) !== e.neg;
      }
      case "un": {
        const a = this.eval(e.a, scope);
        if (e.op === "not") return !truthy(a);
        if (a instanceof Undef) a.fail();
        return e.op === "-" ? mkNum(-num(a), isFloat(a)) : a;
      }
      case "bin": {
        const a = this.eval(e.a, scope);
        if (e.op === "and") return truthy(a) ? this.eval(e.b, scope) : a;
        if (e.op === "or") return truthy(a) ? a : this.eval(e.b, scope);
        return binary(e.op, a, this.eval(e.b, scope));
      }
      case "cmp": {
        let left = this.eval(e.first, scope);
        for (const [op, rightExpr] of e.ops) {
          const right = this.eval(rightExpr, scope);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case "cond":
        if (truthy(this.eval(e.test, scope))) return this.eval(e.a, scope);
        return e.b ? this.eval(e.b, scope) : new Undef("the else branch");
    }
  }
}
