/**
 * Runs the real skiff CLI through `deno run` with exactly the permission
 * flags the compiled binary gets (lib/build/permissions.flags and lib/build/runtime.flags).
 *
 * @module
 */

import { RUN_FLAGS } from "../../lib/build/permissions.ts";

/** What a CLI run printed and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The absolute path of main.ts. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/**
 * Where the CLI runs of this test process keep their per-host run lock, so
 * that test runs in other checkouts on this machine never refuse them.
 */
export const TEST_RUN_LOCK = `/tmp/skiff-run.lock.tests-${Deno.pid}`;
// Runs made in this process (runDeploys() in a test) keep apart the same way.
Deno.env.set("SKIFF_RUN_LOCK", TEST_RUN_LOCK);

/** The `deno` arguments that run `skiff ARGS…` as the binary would. */
export function skiffArgs(args: readonly string[]): string[] {
  return ["run", "--quiet", ...RUN_FLAGS, MAIN, ...args];
}

/** Runs `skiff ARGS…` and collects its output. */
export async function runSkiff(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<CliRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: skiffArgs(args),
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK, ...options.env },
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Starts `skiff ARGS…` with piped stdout and stderr, for tests that interrupt or read it live. */
export function spawnSkiff(
  args: readonly string[],
  options: { env?: Record<string, string> } = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: skiffArgs(args),
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK, ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
