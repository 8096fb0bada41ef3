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
  options: {
    env?: Record<string, string>;
    /** Seconds the whole session may take before it is killed (default 60). */
    limitSeconds?: number;
  } = {},
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
  const deadline = Date.now() + (options.limitSeconds ?? 60) * 1000;
  /** Reads one chunk; past the deadline the program is killed and the test fails, never hangs. */
  const readOnce = async (waitingFor: string) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`skiff on the terminal: no ${waitingFor} in time; it showed:\n${text}`));
      }, Math.max(0, deadline - Date.now()));
    });
    try {
      const { value, done } = await Promise.race([reader.read(), late]);
      if (done) ended = true;
      else text += decoder.decode(value, { stream: true }).replaceAll("\r", "");
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    get text() {
      return text;
    },
    async waitFor(wanted) {
      while (!ended && !text.includes(wanted)) await readOnce(JSON.stringify(wanted));
    },
    async type(keys) {
      await writer.write(new TextEncoder().encode(keys));
    },
    async finish() {
      while (!ended) await readOnce("end");
      const status = await child.status;
      await writer.close().catch(() => {});
      await child.stderr.cancel();
      return { code: status.code, text };
    },
  };
}
