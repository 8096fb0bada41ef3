/**
 * skiff under `script(1)`: a real pseudo-terminal, so it may ask (confirm
 * prompts, passwords without echo) and the test reads what the terminal
 * showed, as an operator would see it.
 *
 * @module
 */

import { skiffArgs, TEST_RUN_LOCK } from "./cli.ts";

/** POSIX single quotes, for the command line `script -c` runs. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** A running skiff on a terminal. */
export interface Terminal {
  /** What the terminal showed so far, carriage returns removed. */
  readonly text: string;
  /** Reads until `text` has appeared (or the program ended). */
  waitFor(text: string): Promise<void>;
  /** Types `keys` (end a line with `\r`, as a terminal sends Enter). */
  type(keys: string): Promise<void>;
  /** Reads to the end: the exit code and the whole transcript. */
  finish(): Promise<{ code: number; text: string }>;
}

/**
 * Starts `skiff ARGS…` on a terminal (`TERM=dumb`, no colour, the test
 * process's run lock path unless `env` says otherwise).
 */
export function skiffInTerminal(
  args: readonly string[],
  options: { env?: Record<string, string> } = {},
): Terminal {
  const command = [Deno.execPath(), ...skiffArgs(args)].map(quote).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    env: { NO_COLOR: "1", TERM: "dumb", SKIFF_RUN_LOCK: TEST_RUN_LOCK, ...options.env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const writer = child.stdin.getWriter();
  const decoder = new TextDecoder();
  let text = "";
  let ended = false;
  const readOnce = async () => {
    const { value, done } = await reader.read();
    if (done) ended = true;
    else text += decoder.decode(value, { stream: true }).replaceAll("\r", "");
  };
  return {
    get text() {
      return text;
    },
    async waitFor(wanted) {
      while (!ended && !text.includes(wanted)) await readOnce();
    },
    async type(keys) {
      await writer.write(new TextEncoder().encode(keys));
    },
    async finish() {
      while (!ended) await readOnce();
      const status = await child.status;
      await writer.close().catch(() => {});
      await child.stderr.cancel();
      return { code: status.code, text };
    },
  };
}
