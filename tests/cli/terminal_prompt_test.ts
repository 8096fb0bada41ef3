import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { type PromptTerminal, terminalPrompt } from "../../lib/cli/terminal_prompt.ts";

/** A terminal stand-in that hands out `typed` a chunk per read and records raw mode. */
function scriptedTerminal(typed: string[]): PromptTerminal & { raw: boolean[] } {
  const chunks = typed.map((text) => new TextEncoder().encode(text));
  const raw: boolean[] = [];
  return {
    raw,
    setRaw: (on) => void raw.push(on),
    read: async (buffer) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const chunk = chunks.shift();
      if (!chunk) return null;
      buffer.set(chunk);
      return chunk.length;
    },
  };
}

Deno.test("terminalPrompt() asks secret questions one after another, and none after Ctrl-C", async (t) => {
  await t.step("two hosts asking at once each get their own answer, in order", async () => {
    const written: string[] = [];
    const terminal = scriptedTerminal(["first\r", "second\r"]);
    const prompt = terminalPrompt(terminal, { write: (text) => void written.push(text) });
    const answers = await Promise.all([
      prompt("[a] passphrase for key k: ", { secret: true }),
      prompt("[b] passphrase for key k: ", { secret: true }),
    ]);
    deepStrictEqual(answers, ["first", "second"]);
    deepStrictEqual(written, [
      "[a] passphrase for key k: ",
      "\n",
      "[b] passphrase for key k: ",
      "\n",
    ]);
    deepStrictEqual(terminal.raw, [true, false, true, false]);
  });
  await t.step("Ctrl-C stops the run and the questions still waiting are not asked", async () => {
    const written: string[] = [];
    let interrupts = 0;
    const terminal = scriptedTerminal(["\x03", "never read\r"]);
    const prompt = terminalPrompt(terminal, {
      write: (text) => void written.push(text),
      onInterrupt: () => interrupts++,
    });
    const answers = await Promise.all([
      prompt("[a] sudo password: ", { secret: true }),
      prompt("[b] sudo password: ", { secret: true }),
    ]);
    deepStrictEqual(answers, [null, null]);
    strictEqual(interrupts, 1);
    deepStrictEqual(written, ["[a] sudo password: ", "\n"]);
    deepStrictEqual(terminal.raw, [true, false]);
  });
});
