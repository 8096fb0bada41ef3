/**
 * Splits a Jinja2 template into text, `{{ … }}`, `{% … %}` and `{# … #}`
 * segments, applying Jinja2's whitespace rules (`-` and `+` modifiers,
 * `trim_blocks`, `lstrip_blocks`, `{% raw %}`), and the expression
 * tokenizer.
 *
 * @module
 */

import { TemplateError } from "./py.ts";

/** Jinja2's whitespace settings. */
export interface LexOptions {
  /** Drop the first newline after a block or comment tag. */
  trimBlocks: boolean;
  /** Strip spaces and tabs before a block or comment tag that starts its line. */
  lstripBlocks: boolean;
}

/** A piece of template source. */
export interface Segment {
  /** Text, an expression to print, or a statement. */
  kind: "text" | "var" | "block";
  /** The text, or the tag's inside without delimiters and modifiers. */
  body: string;
  /** 1-based line of the tag. */
  line: number;
  /** 1-based column of the tag. */
  column: number;
  /** The tag as written, for messages. */
  tag: string;
}

const OPEN = /\{([{%#])/g;
const CLOSE: Record<string, string> = { "{": "}}", "%": "%}", "#": "#}" };

/** Where a tag that may hold quoted strings ends, or -1. */
function findClose(src: string, from: number, close: string): number {
  let quote = "";
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (src.startsWith(close, i)) return i;
  }
  return -1;
}

/**
 * Splits `src` into segments. Line numbers start at `firstLine`.
 *
 * @example
 * ```ts
 * import { lex } from "./lexer.ts";
 * const segments = lex("a\n{% if x %}\nb{{ y }}", { trimBlocks: true, lstripBlocks: false });
 * const kinds = segments.map((s) => `${s.kind}:${JSON.stringify(s.body)}@${s.line}`).join(" ");
 * if (kinds !== 'text:"a\\n"@0 block:" if x "@2 text:"b"@0 var:" y "@3') throw new Error(kinds);
 * ```
 */
export function lex(src: string, options: LexOptions, firstLine = 1): Segment[] {
  const out: Segment[] = [];
  const lineStarts = [0];
  for (let i = 0; i < src.length; i++) if (src[i] === "\n") lineStarts.push(i + 1);
  const where = (index: number) => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > index) line--;
    return { line: line + firstLine, column: index - lineStarts[line] + 1 };
  };
  let pos = 0;
  let stripNext = false;
  let lineStart = true;
  const pushText = (text: string) => {
    if (stripNext) text = text.replace(/^\s+/, "");
    stripNext = false;
    if (text) out.push({ kind: "text", body: text, line: 0, column: 0, tag: "" });
  };
  while (pos < src.length) {
    OPEN.lastIndex = pos;
    const open = OPEN.exec(src);
    if (!open) break;
    const start = open.index;
    const type = open[1];
    let text = src.slice(pos, start);
    const modifier = src[start + 2];
    if (modifier === "-") text = text.replace(/\s+$/, "");
    else if (modifier !== "+" && options.lstripBlocks && type !== "{") {
      const at = text.lastIndexOf("\n") + 1;
      if ((at > 0 || lineStart) && /^[ \t]*$/.test(text.slice(at))) text = text.slice(0, at);
    }
    pushText(text);
    const bodyStart = start + 2 + (modifier === "-" || modifier === "+" ? 1 : 0);
    const close = type === "#"
      ? src.indexOf("#}", bodyStart)
      : findClose(src, bodyStart, CLOSE[type]);
    const { line, column } = where(start);
    if (close === -1) {
      const error = new TemplateError(`unclosed tag, missing '${CLOSE[type]}'`);
      error.at = { line, column, tag: src.slice(start, start + 40).split("\n")[0] };
      throw error;
    }
    let bodyEnd = close;
    const endModifier = src[close - 1];
    if ((endModifier === "-" || endModifier === "+") && close - 1 >= bodyStart) bodyEnd--;
    let end = close + 2;
    const tag = src.slice(start, end);
    const body = src.slice(bodyStart, bodyEnd);
    const trim = () => {
      if (endModifier === "-") stripNext = true;
      else if (endModifier !== "+" && options.trimBlocks && type !== "{") {
        if (src[end] === "\n") end++;
        else if (src.startsWith("\r\n", end)) end += 2;
      }
    };
    trim();
    if (type === "{") out.push({ kind: "var", body, line, column, tag });
    else if (type === "%") {
      if (/^\s*raw\s*$/.test(body)) {
        const endRaw = /\{%(-?)\s*endraw\s*([-+]?)%\}/g;
        endRaw.lastIndex = end;
        const m = endRaw.exec(src);
        if (!m) {
          const error = new TemplateError("raw block is never closed with endraw");
          error.at = { line, column, tag };
          throw error;
        }
        let raw = src.slice(end, m.index);
        if (stripNext) raw = raw.replace(/^\s+/, "");
        stripNext = false;
        if (m[1] === "-") raw = raw.replace(/\s+$/, "");
        if (raw) out.push({ kind: "text", body: raw, line: 0, column: 0, tag: "" });
        end = m.index + m[0].length;
        if (m[2] === "-") stripNext = true;
        else if (m[2] !== "+" && options.trimBlocks && src[end] === "\n") end++;
      } else out.push({ kind: "block", body, line, column, tag });
    }
    lineStart = src[end - 1] === "\n";
    pos = end;
  }
  pushText(src.slice(pos));
  return out;
}

/** An expression token. */
export interface Token {
  /** `name`, `str`, `int`, `float`, `op` or `end`. */
  type: "name" | "str" | "int" | "float" | "op" | "end";
  /** The token's text (a string's value, unquoted). */
  value: string;
}

const TOKEN =
  /\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d[\d_]*\.\d[\d_]*(?:[eE][-+]?\d+)?|\d[\d_]*[eE][-+]?\d+)|(\d[\d_]*)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\/\/|\*\*|==|!=|<=|>=|[-+*\/%~<>()[\]{},.:|=]))/y;

const ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

/** Tokenizes an expression. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new TemplateError(`unexpected character '${src.slice(pos).trim()[0]}'`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ type: "name", value: m[1] });
    else if (m[2] !== undefined) out.push({ type: "float", value: m[2].replaceAll("_", "") });
    else if (m[3] !== undefined) out.push({ type: "int", value: m[3].replaceAll("_", "") });
    else if (m[4] !== undefined) {
      const value = m[4].slice(1, -1).replace(
        /\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g,
        (_, e: string) =>
          e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e] ?? `\\${e}`,
      );
      out.push({ type: "str", value });
    } else out.push({ type: "op", value: m[5] });
  }
  out.push({ type: "end", value: "" });
  return out;
}
