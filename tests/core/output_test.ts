import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { CommandOutput, LineSplitter } from "../../lib/core/output.ts";

Deno.test("CommandOutput keeps arrival order and splits streams", () => {
  const out = new CommandOutput([
    { stream: "stdout", line: "a" },
    { stream: "stderr", line: "b" },
    { stream: "stdout", line: "c" },
  ]);
  deepStrictEqual(out.stdoutLines, ["a", "c"]);
  deepStrictEqual(out.stderrLines, ["b"]);
  deepStrictEqual(out.outputLines, ["a", "b", "c"]);
  strictEqual(out.stdout, "a\nc");
  strictEqual(out.stderr, "b");
  strictEqual(out.output, "a\nb\nc");
});

Deno.test("LineSplitter joins chunks, handles CRLF, split UTF-8 and a last unterminated line", () => {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  const bytes = new TextEncoder().encode("hé");
  splitter.push("one\r\ntw");
  splitter.push(bytes.subarray(0, 2));
  splitter.push(bytes.subarray(2));
  splitter.push("\n\nlast");
  splitter.flush();
  deepStrictEqual(lines, ["one", "twhé", "", "last"]);
});
