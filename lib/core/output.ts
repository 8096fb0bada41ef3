/**
 * CommandOutput: the lines a command printed, tagged stdout or stderr, in
 * the order they arrived.
 *
 * @module
 */

/** Which stream a line came from. */
export type StreamName = "stdout" | "stderr";

/** One line of output. */
export interface OutputLine {
  /** The stream it came from. */
  readonly stream: StreamName;
  /** The text, without its line ending. */
  readonly line: string;
}

/**
 * The output of a command.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { CommandOutput } from "./output.ts";
 * const out = new CommandOutput([{ stream: "stdout", line: "hi" }, { stream: "stderr", line: "oops" }]);
 * deepStrictEqual(out.stdout, "hi");
 * deepStrictEqual(out.outputLines, ["hi", "oops"]);
 * ```
 */
export class CommandOutput {
  /** Every line in arrival order. */
  readonly lines: readonly OutputLine[];

  /** Wraps tagged lines. */
  constructor(lines: readonly OutputLine[] = []) {
    this.lines = lines;
  }

  /** Lines written to stdout. */
  get stdoutLines(): string[] {
    return this.lines.filter((l) => l.stream === "stdout").map((l) => l.line);
  }

  /** Lines written to stderr. */
  get stderrLines(): string[] {
    return this.lines.filter((l) => l.stream === "stderr").map((l) => l.line);
  }

  /** All lines, both streams, in arrival order. */
  get outputLines(): string[] {
    return this.lines.map((l) => l.line);
  }

  /** Stdout lines joined with newlines. */
  get stdout(): string {
    return this.stdoutLines.join("\n");
  }

  /** Stderr lines joined with newlines. */
  get stderr(): string {
    return this.stderrLines.join("\n");
  }

  /** Both streams joined with newlines, in arrival order. */
  get output(): string {
    return this.outputLines.join("\n");
  }
}

/**
 * Splits a stream of text chunks into lines, calling `onLine` for each
 * complete line; `flush()` emits a final unterminated line. Handles `\r\n`.
 * A line longer than `maxLine` characters (1 MiB by default) is passed on in
 * pieces of that size, so output without newlines never grows without bound.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * const lines: string[] = [];
 * const splitter = new LineSplitter((line) => lines.push(line), { maxLine: 4 });
 * splitter.push("ab\r\ncdefghij");
 * splitter.flush();
 * deepStrictEqual(lines, ["ab", "cdef", "ghij"]);
 * ```
 */
export class LineSplitter {
  #pending = "";
  readonly #onLine: (line: string) => void;
  readonly #decoder = new TextDecoder();
  readonly #maxLine: number;

  /** Creates a splitter that reports each line to `onLine`. */
  constructor(onLine: (line: string) => void, options: { maxLine?: number } = {}) {
    this.#onLine = onLine;
    this.#maxLine = options.maxLine ?? 1024 * 1024;
  }

  /** Feeds a chunk of bytes or text. */
  push(chunk: Uint8Array | string): void {
    this.#pending += typeof chunk === "string"
      ? chunk
      : this.#decoder.decode(chunk, { stream: true });
    let index: number;
    while ((index = this.#pending.indexOf("\n")) !== -1) {
      let line = this.#pending.slice(0, index);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      this.#pending = this.#pending.slice(index + 1);
      this.#onLine(line);
    }
    while (this.#pending.length > this.#maxLine) {
      this.#onLine(this.#pending.slice(0, this.#maxLine));
      this.#pending = this.#pending.slice(this.#maxLine);
    }
  }

  /** Emits what is left as a last line, if anything. */
  flush(): void {
    this.#pending += this.#decoder.decode();
    if (this.#pending !== "") {
      const line = this.#pending.endsWith("\r") ? this.#pending.slice(0, -1) : this.#pending;
      this.#pending = "";
      this.#onLine(line);
    }
  }
}
