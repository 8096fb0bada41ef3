/**
 * The skiff command-line entry point: wires the real terminal, environment
 * and signals to the CLI and exits with its code. The only `Deno.exit`.
 *
 * @module
 */

import { runCli } from "./lib/cli/program.ts";
import { terminalPrompt } from "./lib/cli/terminal_prompt.ts";
import type { CliIo } from "./lib/report/io.ts";

const encoder = new TextEncoder();

/**
 * A writer for stdout or stderr. When the reader goes away (`skiff … | head`)
 * the rest is dropped instead of failing: a deploy that is under way goes on
 * to its end and its exit code rather than stopping between operations.
 */
function writer(file: { writeSync(p: Uint8Array): number }): (text: string) => void {
  let closed = false;
  return (text) => {
    if (closed) return;
    let bytes = encoder.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
      closed = true;
    }
  };
}

/** The real outside world: stdout, stderr, environment, Ctrl-C. */
function realIo(signal: AbortSignal, onInterrupt: () => void): CliIo {
  const err = writer(Deno.stderr);
  return {
    out: writer(Deno.stdout),
    err,
    env: (name) => Deno.env.get(name),
    isTerminal: Deno.stdout.isTerminal(),
    rows: () => {
      try {
        return Deno.consoleSize().rows;
      } catch {
        return 24;
      }
    },
    cwd: Deno.cwd(),
    signal,
    prompt: Deno.stdin.isTerminal()
      ? terminalPrompt(Deno.stdin, {
        write: err,
        onInterrupt,
        ask: (question) => globalThis.prompt(question),
      })
      : undefined,
  };
}

if (import.meta.main) {
  const controller = new AbortController();
  // Ctrl-C and SIGTERM (a cancelled CI job) both stop the run and kill what it
  // started, then exit 130 or 143; a second one exits at once.
  let exitCode = 130;
  const stop = (code: number) => () => {
    if (controller.signal.aborted) Deno.exit(code);
    exitCode = code;
    controller.abort();
  };
  const onInterrupt = stop(130);
  Deno.addSignalListener("SIGINT", onInterrupt);
  Deno.addSignalListener("SIGTERM", stop(143));
  const code = await runCli(Deno.args, realIo(controller.signal, onInterrupt));
  Deno.exit(controller.signal.aborted ? exitCode : code);
}
