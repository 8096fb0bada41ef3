/**
 * The skiff command-line entry point: wires the real terminal, environment
 * and signals to the CLI and exits with its code. The only `Deno.exit`.
 *
 * @module
 */

import { runCli } from "./lib/cli/program.ts";
import type { CliIo } from "./lib/cli/io.ts";

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

/** The real outside world: stdout, stderr, environment, Ctrl-C. */
function realIo(signal: AbortSignal): CliIo {
  return {
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
    env: (name) => Deno.env.get(name),
    isTerminal: Deno.stdout.isTerminal(),
    cwd: Deno.cwd(),
    signal,
    prompt: Deno.stdin.isTerminal()
      ? (question) => Promise.resolve(globalThis.prompt(question))
      : undefined,
  };
}

if (import.meta.main) {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) Deno.exit(130);
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const code = await runCli(Deno.args, realIo(controller.signal));
  Deno.exit(controller.signal.aborted ? 130 : code);
}
