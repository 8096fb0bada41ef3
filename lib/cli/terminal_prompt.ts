/**
 * Questions on the operator's terminal. A secret question (a sudo password,
 * a key passphrase) is read with the terminal in raw mode, so nothing typed
 * is echoed, and the answer is never printed.
 *
 * @module
 */

/** The terminal side a prompt needs: Deno.stdin, or a stand-in in tests. */
export interface PromptTerminal {
  /** Turns echo and line editing off (true) or back on (false). */
  setRaw(raw: boolean): void;
  /** Reads what was typed; null at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
}

/** How {@linkcode terminalPrompt} talks to the operator. */
export interface PromptOptions {
  /** Writes the question (to standard error). */
  write: (text: string) => void;
  /** Called when Ctrl-C is typed at a secret question (raw mode turns off the signal). */
  onInterrupt?: () => void;
  /** Asks a question with echo, for questions that are not secret. */
  ask?: (question: string) => string | null;
}

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = [0x08, 0x7f];
const ENTER = [0x0a, 0x0d];

/**
 * Reads one line from a terminal in raw mode without echoing it. Backspace
 * edits; Enter ends; Ctrl-D on an empty line and Ctrl-C give null.
 * `onEchoOff` runs once echo is off (to show the question).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { readSecretLine } from "./terminal_prompt.ts";
 * const typed = new TextEncoder().encode("hunx\x7fter2\r");
 * let done = false;
 * const terminal = {
 *   setRaw: () => {},
 *   read: (buffer: Uint8Array) => {
 *     if (done) return Promise.resolve(null);
 *     done = true;
 *     buffer.set(typed);
 *     return Promise.resolve(typed.length);
 *   },
 * };
 * deepStrictEqual(await readSecretLine(terminal), { line: "hunter2", interrupted: false });
 * ```
 */
export async function readSecretLine(
  terminal: PromptTerminal,
  onEchoOff?: () => void,
): Promise<{ line: string | null; interrupted: boolean }> {
  const bytes: number[] = [];
  const buffer = new Uint8Array(64);
  terminal.setRaw(true);
  try {
    onEchoOff?.();
    for (;;) {
      const count = await terminal.read(buffer);
      if (count === null) {
        return { line: bytes.length > 0 ? decode(bytes) : null, interrupted: false };
      }
      for (const byte of buffer.subarray(0, count)) {
        if (byte === CTRL_C) return { line: null, interrupted: true };
        if (byte === CTRL_D && bytes.length === 0) return { line: null, interrupted: false };
        if (ENTER.includes(byte)) return { line: decode(bytes), interrupted: false };
        if (BACKSPACE.includes(byte)) bytes.pop();
        else bytes.push(byte);
      }
    }
  } finally {
    terminal.setRaw(false);
  }
}

function decode(bytes: number[]): string {
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * The CLI's prompt: secret questions are read without echo from `terminal`;
 * others through `ask` (echoed, as the operator expects for `y/N`). Hosts
 * connecting at once ask one after another, never over each other; after
 * Ctrl-C at a question, the questions still waiting get null.
 *
 * @example
 * ```ts ignore
 * const prompt = terminalPrompt(Deno.stdin, { write: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)) });
 * const password = await prompt("sudo password: ", { secret: true });
 * ```
 */
export function terminalPrompt(
  terminal: PromptTerminal,
  options: PromptOptions,
): (question: string, how: { secret: boolean }) => Promise<string | null> {
  let previous: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const one = async (question: string, how: { secret: boolean }) => {
    if (!how.secret) return options.ask ? options.ask(question) : null;
    // After Ctrl-C the run is stopping: the questions still queued are not asked.
    if (stopped) return null;
    // The question shows once echo is off: an answer typed at once is never echoed.
    const { line, interrupted } = await readSecretLine(terminal, () => options.write(question));
    options.write("\n");
    if (interrupted) {
      stopped = true;
      options.onInterrupt?.();
    }
    return line;
  };
  return (question, how) => {
    const answer = previous.then(() => one(question, how));
    previous = answer.catch(() => {});
    return answer;
  };
}
