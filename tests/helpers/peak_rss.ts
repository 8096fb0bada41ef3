/**
 * The skiff CLI run in a process of its own, and that process's peak
 * resident memory (VmHWM from its `/proc/PID/status`) read once the run is
 * over but before the process exits: what the memory tests and
 * `bench/large_file_bench.ts` measure.
 *
 * Run as a script (`deno run FLAGS peak_rss.ts ARGS…`) it runs `skiff ARGS…`
 * with the binary's permission and runtime flags, prints
 * `skiff-measure-done CODE` on stderr and waits for the end of its stdin
 * (the binary's flags do not let it read `/proc/self` itself).
 *
 * @module
 */

import { runCli } from "../../lib/cli/program.ts";
import { RUN_FLAGS } from "../../lib/build/permissions.ts";
import { TEST_RUN_LOCK } from "./cli.ts";

const MARK = "skiff-measure-done";

/** What a measured CLI run printed, how it ended, its peak memory and wall time. */
export interface MeasuredRun {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error, without the measurement line. */
  stderr: string;
  /** Peak resident memory of the skiff process (VmHWM), MiB. */
  peakMiB: number;
  /** Wall time of the whole process (Deno start-up included), seconds. */
  seconds: number;
}

/**
 * Runs `skiff ARGS…` in a child process and returns its output, its own
 * peak resident memory and the wall time.
 *
 * @example
 * ```ts ignore
 * import { measureSkiff } from "./peak_rss.ts";
 * const run = await measureSkiff(["deploy", "@local", "put.ts", "-y"]);
 * console.log(run.peakMiB);
 * ```
 */
export async function measureSkiff(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<MeasuredRun> {
  const script = new URL(import.meta.url).pathname;
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RUN_FLAGS, script, ...args],
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK, ...options.env },
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let stderr = "";
  let peakKib: number | undefined;
  let seconds = 0;
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    stderr += chunk;
    if (peakKib === undefined && new RegExp(`^${MARK} -?\\d+$`, "m").test(stderr)) {
      seconds = (performance.now() - started) / 1000;
      // Through cat: Deno asks for every permission to read another process's /proc entry,
      // and the test task grants --allow-run, not that.
      const status = new TextDecoder().decode(
        (await new Deno.Command("cat", { args: [`/proc/${child.pid}/status`] }).output()).stdout,
      );
      peakKib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
      await child.stdin.close();
    }
  }
  const { code } = await child.status;
  if (peakKib === undefined) throw new Error(`The measured run did not finish:\n${stderr}`);
  return {
    code,
    stdout: await stdout,
    stderr: stderr.replace(new RegExp(`^${MARK} -?\\d+\n?`, "m"), "").trimEnd(),
    peakMiB: peakKib / 1024,
    seconds,
  };
}

function writer(file: { writeSync(p: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    let bytes = encoder.encode(text);
    while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
  };
}

if (import.meta.main) {
  const code = await runCli(Deno.args, {
    out: writer(Deno.stdout),
    err: writer(Deno.stderr),
    env: (name) => Deno.env.get(name),
    isTerminal: false,
    cwd: Deno.cwd(),
  });
  writer(Deno.stderr)(`${MARK} ${code}\n`);
  // The parent reads /proc/PID/status now, then closes stdin.
  for await (const _ of Deno.stdin.readable) {
    // Nothing is sent: only the end matters.
  }
  Deno.exitCode = code;
}
