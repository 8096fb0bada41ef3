/**
 * Jinja2's statements: `if`/`elif`/`else`, `for … in … if …` with `else`,
 * `set` (names, tuples, namespace attributes, blocks), `with`, `macro`,
 * `filter`, `include`, `extends` and `block`.
 *
 * @module
 */

import { type Expr, ExprParser } from "./expr_parser.ts";
import type { Segment } from "./lexer.ts";
import { TemplateError } from "./py.ts";

/** Where a node came from, for messages. */
export interface Pos {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** The tag as written. */
  tag: string;
  /** The template's name. */
  file: string;
}

/** An assignment target: a name, a tuple of targets, or `ns.attr`. */
export type Target =
  | { t: "name"; n: string }
  | { t: "tuple"; items: Target[] }
  | { t: "nsattr"; ns: string; n: string };

/** A parsed statement or piece of output. */
export type Node =
  | { t: "text"; s: string }
  | { t: "out"; e: Expr; pos: Pos }
  | { t: "if"; branches: [Expr, Node[]][]; else_: Node[]; pos: Pos }
  | {
    t: "for";
    target: Target;
    iter: Expr;
    cond: Expr | undefined;
    body: Node[];
    else_: Node[];
    pos: Pos;
  }
  | { t: "set"; target: Target; e: Expr; pos: Pos }
  | { t: "setblock"; n: string; body: Node[]; filter: Expr | undefined; pos: Pos }
  | { t: "with"; assigns: [Target, Expr][]; body: Node[]; pos: Pos }
  | { t: "macro"; n: string; params: [string, Expr | undefined][]; body: Node[]; pos: Pos }
  | { t: "filterblock"; filter: Expr; body: Node[]; pos: Pos }
  | { t: "include"; e: Expr; ignoreMissing: boolean; pos: Pos }
  | { t: "import"; e: Expr; names: [string, string][] | string; pos: Pos }
  | { t: "extends"; e: Expr; pos: Pos }
  | { t: "block"; n: string; body: Node[]; pos: Pos };

/** Attaches the tag's position to an error that has none. */
export function located(error: unknown, pos: Pos): unknown {
  if (error instanceof TemplateError && !error.at) error.at = pos;
  return error;
}

function target(p: ExprParser): Target {
  const one = (): Target => {
    if (p.skip("(")) {
      const items = [one()];
      while (p.skip(",")) items.push(one());
      p.expect(")");
      return { t: "tuple", items };
    }
    const n = p.name();
    if (p.skip(".")) return { t: "nsattr", ns: n, n: p.name() };
    return { t: "name", n };
  };
  const first = one();
  if (!p.is(",")) return first;
  const items = [first];
  while (p.skip(",")) items.push(one());
  return { t: "tuple", items };
}

/** Parses the segments of the template `file` into a tree of nodes. */
export function parse(segments: Segment[], file: string): Node[] {
  let i = 0;
  /** Parses until one of `ends` (returned with the tag's parser), or the end. */
  function body(ends: string[]): [Node[], string, ExprParser | undefined, Pos | undefined] {
    const nodes: Node[] = [];
    while (i < segments.length) {
      const seg = segments[i++];
      const pos = { line: seg.line, column: seg.column, tag: seg.tag, file };
      if (seg.kind === "text") {
        nodes.push({ t: "text", s: seg.body });
        continue;
      }
      try {
        const p = new ExprParser(seg.body);
        if (seg.kind === "var") {
          const e = p.expr(true);
          p.end();
          nodes.push({ t: "out", e, pos });
          continue;
        }
        const word = p.peek.type === "name" ? p.next().value : "";
        if (ends.includes(word)) return [nodes, word, p, pos];
        nodes.push(statement(word, p, pos));
      } catch (error) {
        throw located(error, pos);
      }
    }
    if (ends.length) {
      throw new TemplateError(
        `missing {% ${ends[ends.length - 1]} %} before the end of the template`,
      );
    }
    return [nodes, "", undefined, undefined];
  }
  /** Parses a block until `end`, failing at its position when it is not closed. */
  function until(ends: string[], pos: Pos): [Node[], string, ExprParser, Pos] {
    try {
      const [nodes, word, p, at] = body(ends);
      return [nodes, word, p!, at!];
    } catch (error) {
      throw located(error, pos);
    }
  }
  function statement(word: string, p: ExprParser, pos: Pos): Node {
    switch (word) {
      case "if": {
        const branches: [Expr, Node[]][] = [];
        let test = p.expr();
        p.end();
        for (;;) {
          const [nodes, end, q] = until(["elif", "else", "endif"], pos);
          branches.push([test, nodes]);
          if (end === "elif") {
            test = q.expr();
            q.end();
            continue;
          }
          if (end === "else") {
            q.end();
            const [rest] = until(["endif"], pos);
            return { t: "if", branches, else_: rest, pos };
          }
          return { t: "if", branches, else_: [], pos };
        }
      }
      case "for": {
        const tgt = target(p);
        p.expect("in");
        const iter = p.expr(true, false);
        const cond = p.skip("if") ? p.expr() : undefined;
        p.skip("recursive");
        p.end();
        const [nodes, end, q] = until(["else", "endfor"], pos);
        let else_: Node[] = [];
        if (end === "else") {
          q.end();
          [else_] = until(["endfor"], pos);
        }
        return { t: "for", target: tgt, iter, cond, body: nodes, else_, pos };
      }
      case "set": {
        const tgt = target(p);
        if (p.skip("=")) {
          const e = p.expr(true);
          p.end();
          return { t: "set", target: tgt, e, pos };
        }
        if (tgt.t !== "name") throw new TemplateError("a block set takes one name");
        const filter = p.skip("|") ? p.filter(undefined) : undefined;
        p.end();
        const [nodes] = until(["endset"], pos);
        return { t: "setblock", n: tgt.n, body: nodes, filter, pos };
      }
      case "with": {
        const assigns: [Target, Expr][] = [];
        while (p.peek.type !== "end") {
          if (assigns.length) p.expect(",");
          const tgt = target(p);
          p.expect("=");
          assigns.push([tgt, p.expr()]);
        }
        const [nodes] = until(["endwith"], pos);
        return { t: "with", assigns, body: nodes, pos };
      }
      case "macro": {
        const n = p.name();
        const params: [string, Expr | undefined][] = [];
        p.expect("(");
        while (!p.skip(")")) {
          if (params.length) p.expect(",");
          const param = p.name();
          params.push([param, p.skip("=") ? p.expr() : undefined]);
        }
        p.end();
        const [nodes] = until(["endmacro"], pos);
        return { t: "macro", n, params, body: nodes, pos };
      }
      case "filter": {
        let filter = p.filter(undefined);
        while (p.skip("|")) {
          const next = p.filter(undefined);
          if (next.t === "filter") filter = { ...next, obj: filter };
        }
        p.end();
        const [nodes] = until(["endfilter"], pos);
        return { t: "filterblock", filter, body: nodes, pos };
      }
      case "include": {
        const e = p.expr();
        const ignoreMissing = p.skip("ignore") ? (p.expect("missing"), true) : false;
        if (p.skip("with") || p.skip("without")) p.expect("context");
        p.end();
        return { t: "include", e, ignoreMissing, pos };
      }
      case "import": {
        const e = p.expr();
        p.expect("as");
        const as = p.name();
        if (p.skip("with") || p.skip("without")) p.expect("context");
        p.end();
        return { t: "import", e, names: as, pos };
      }
      case "from": {
        const e = p.expr();
        p.expect("import");
        const names: [string, string][] = [];
        while (p.peek.type === "name" && !["with", "without"].includes(p.peek.value)) {
          const n = p.name();
          names.push([n, p.skip("as") ? p.name() : n]);
          if (!p.skip(",")) break;
        }
        if (p.skip("with") || p.skip("without")) p.expect("context");
        p.end();
        return { t: "import", e, names, pos };
      }
      case "extends": {
        const e = p.expr();
        p.end();
        return { t: "extends", e, pos };
      }
      case "block": {
        const n = p.name();
        p.skip("scoped");
        p.end();
        const [nodes, , q] = until(["endblock"], pos);
        if (q.peek.type === "name") q.next();
        q.end();
        return { t: "block", n, body: nodes, pos };
      }
      default:
        throw new TemplateError(
          word ? `unknown tag '${word}'` : "expected a tag name such as 'if' or 'for'",
        );
    }
  }
  const [nodes] = body([]);
  return nodes;
}
