/**
 * What Ansible's INI inventory does to a value: split a host line as
 * `shlex.split(line, comments=True)` does, and read a value as Python's
 * `ast.literal_eval` (numbers, strings, True/False/None, lists, tuples,
 * dicts), keeping the text when it is not a literal.
 *
 * @module
 */

/** A value that is not a Python literal. */
class NotALiteral extends Error {}

/**
 * Splits a line into words the way POSIX `shlex.split(line, comments=True)`
 * does: quotes group and are removed, a backslash escapes outside single
 * quotes, `#` at the start of a word starts a comment.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { shlexSplit } from "./python_literal.ts";
 * deepStrictEqual(shlexSplit(`web1 a="x y" b='1 2' # note`), ["web1", "a=x y", "b=1 2"]);
 * ```
 */
export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"' && /["\\$`]/.test(line[i + 1] ?? "")) {
        word += line[++i];
      } else word += char;
    } else if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (char === "#" && word === null) break;
    else if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
    } else if (char === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i];
    else word = (word ?? "") + char;
  }
  if (quote) throw new SyntaxError("No closing quotation");
  if (word !== null) words.push(word);
  return words;
}

/**
 * Ansible's `_parse_value`: the Python literal a text spells, or the text
 * itself when it spells none.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { iniValue } from "./python_literal.ts";
 * deepStrictEqual(
 *   ["5", "1.5", "True", "true", "None", "[1, 'two']", "0755", "a b"].map(iniValue),
 *   [5, 1.5, true, "true", null, [1, "two"], "0755", "a b"],
 * );
 * ```
 */
export function iniValue(text: string): unknown {
  try {
    return literalEval(text);
  } catch (error) {
    if (error instanceof NotALiteral) return text;
    throw error;
  }
}

/** Parses a whole Python literal; throws NotALiteral otherwise. */
function literalEval(text: string): unknown {
  const parser = new Parser(text);
  const value = parser.value();
  parser.space();
  if (!parser.done()) throw new NotALiteral();
  return value;
}

const NUMBER =
  /^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?)/;

class Parser {
  #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  done(): boolean {
    return this.#at >= this.#text.length;
  }

  space(): void {
    while (/\s/.test(this.#text[this.#at] ?? "")) this.#at++;
  }

  #take(token: string): boolean {
    this.space();
    if (!this.#text.startsWith(token, this.#at)) return false;
    this.#at += token.length;
    return true;
  }

  value(): unknown {
    this.space();
    const rest = this.#text.slice(this.#at);
    const char = rest[0];
    if (char === "[") return this.#sequence("[", "]");
    if (char === "(") return this.#sequence("(", ")");
    if (char === "{") return this.#mapping();
    if (char === "'" || char === '"') return this.#string();
    const word = /^(True|False|None)(?![\w.])/.exec(rest);
    if (word) {
      this.#at += word[1].length;
      return word[1] === "None" ? null : word[1] === "True";
    }
    const number = NUMBER.exec(rest);
    if (number && !/^[\w.]/.test(rest.slice(number[0].length))) {
      this.#at += number[0].length;
      return numberOf(number[0].replaceAll("_", ""));
    }
    throw new NotALiteral();
  }

  #sequence(open: string, close: string): unknown[] {
    this.#take(open);
    const out: unknown[] = [];
    while (!this.#take(close)) {
      if (this.done()) throw new NotALiteral();
      out.push(this.value());
      if (!this.#take(",")) {
        if (!this.#take(close)) throw new NotALiteral();
        break;
      }
    }
    return out;
  }

  #mapping(): Record<string, unknown> | unknown[] {
    this.#take("{");
    if (this.#take("}")) return {};
    const first = this.value();
    if (!this.#take(":")) {
      const set = [first];
      while (this.#take(",") && !this.#take("}")) set.push(this.value());
      if (!this.#text.slice(0, this.#at).trimEnd().endsWith("}") && !this.#take("}")) {
        throw new NotALiteral();
      }
      return set;
    }
    const out: Record<string, unknown> = {};
    let key = first;
    for (;;) {
      out[String(key)] = this.value();
      if (!this.#take(",")) break;
      if (this.#take("}")) return out;
      key = this.value();
      if (!this.#take(":")) throw new NotALiteral();
    }
    if (!this.#take("}")) throw new NotALiteral();
    return out;
  }

  #string(): string {
    let out = "";
    // Adjacent literals concatenate, as in Python: 'a' "b" is "ab".
    do {
      const quote = this.#text[this.#at];
      const triple = this.#text.startsWith(quote.repeat(3), this.#at);
      const end = triple ? quote.repeat(3) : quote;
      this.#at += end.length;
      for (;;) {
        if (this.done()) throw new NotALiteral();
        if (this.#text.startsWith(end, this.#at)) {
          this.#at += end.length;
          break;
        }
        const char = this.#text[this.#at++];
        if (char === "\\") out += escape(this.#text[this.#at++] ?? "");
        else if (char === "\n" && !triple) throw new NotALiteral();
        else out += char;
      }
      this.space();
    } while (this.#text[this.#at] === "'" || this.#text[this.#at] === '"');
    return out;
  }
}

function escape(char: string): string {
  const table: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\" };
  return table[char] ?? (char === "'" || char === '"' ? char : `\\${char}`);
}

function numberOf(text: string): number {
  const sign = text.startsWith("-") ? -1 : 1;
  const body = text.replace(/^[+-]/, "");
  if (/^0[xob]/i.test(body)) return sign * Number(body.toLowerCase());
  if (/^0\d/.test(body) && !/[.eE]/.test(body)) throw new NotALiteral(); // 0755: not Python 3
  return sign * Number(body);
}
