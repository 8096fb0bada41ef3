/**
 * The one place that spawns local processes. Everything else receives a
 * {@linkcode ProcessRunner}.
 *
 * Each child runs in its own process group, so a timeout or an interrupt
 * kills the whole tree it started, not just the shell.
 *
 * @module
 */

import type { StdinValue } from "./core/arguments.ts";
import { OutputCollector } from "./core/output_collector.ts";
import {
  type CommandOutput,
  LineSplitter,
  type OutputLine,
  type StreamName,
} from "./core/output.ts";

/** What to run and how. */
export interface ProcessOptions {
  /** Standard input: text, bytes, lines, or a stream of bytes. Absent = no input (EOF). */
  stdin?: StdinValue | ReadableStream<Uint8Array>;
  /** Extra environment variables (added to the inherited environment). */
  env?: Readonly<Record<string, string>>;
  /** Working directory. */
  cwd?: string;
  /** Kill the process group after this many seconds. */
  timeout?: number;
  /** Called for every output line as it arrives. */
  onOutput?: (line: OutputLine) => void;
  /** Characters of each stream's start and end the result keeps (default 1 MiB; `Infinity`: all). */
  outputLimit?: number;
  /** Aborting kills the process group. */
  signal?: AbortSignal;
  /** Receive stdout as raw bytes instead of lines (for file downloads). */
  stdoutBytes?: WritableStream<Uint8Array>;
}

/** How a process ended. */
export interface ProcessResult {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: string | null;
  /** True when the timeout killed it. */
  timedOut: boolean;
  /** True when the abort signal killed it. */
  aborted: boolean;
  /** Its output lines. */
  output: CommandOutput;
}

/** A long-lived local `sh` reading commands on stdin (the `@local` persistent shell). */
export interface ShellProcess {
  /** Its standard input. */
  readonly stdin: WritableStream<Uint8Array>;
  /** Its standard output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its standard error. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Kills its process group: the shell and whatever it is running. */
  kill(): void;
  /** Resolves when the shell has exited. */
  readonly status: Promise<unknown>;
}

/** Starts a long-lived local shell. */
export type ShellSpawner = () => ShellProcess;

/** Runs a local process: `argv[0]` is the program. */
export type ProcessRunner = (
  argv: readonly string[],
  options?: ProcessOptions,
) => Promise<ProcessResult>;

/** Encodes a stdin value to bytes. */
export function stdinBytes(value: StdinValue): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  return new TextEncoder().encode(value.map((line) => line + "\n").join(""));
}

async function writeStdin(
  writable: WritableStream<Uint8Array>,
  input: StdinValue | ReadableStream<Uint8Array>,
): Promise<void> {
  try {
    if (input instanceof ReadableStream) {
      await input.pipeTo(writable);
    } else {
      const writer = writable.getWriter();
      await writer.write(stdinBytes(input));
      await writer.close();
    }
  } catch {
    // The process closed its stdin early (for example it exited): not an error of ours.
  }
}

async function readLines(
  readable: ReadableStream<Uint8Array>,
  stream: StreamName,
  sink: (line: OutputLine) => void,
): Promise<void> {
  const splitter = new LineSplitter((line) => sink({ stream, line }));
  for await (const chunk of readable) splitter.push(chunk);
  splitter.flush();
}

/**
 * Kills a process group. `Deno.kill` needs unrestricted `--allow-run`, which
 * the binary does not have, so without it the shell's `kill` builtin does it.
 */
function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) return; // Already gone.
    new Deno.Command("sh", { args: ["-c", `kill -s KILL -- -${pid} 2>/dev/null`], stdin: "null" })
      .outputSync();
  }
}

/**
 * Runs a process for real with `Deno.Command`, in its own process group.
 *
 * @example
 * ```ts ignore
 * import { runProcess } from "./process.ts";
 * const result = await runProcess(["sh", "-c", "echo hi"]);
 * result.output.stdout; // "hi"
 * ```
 */
export const runProcess: ProcessRunner = async (argv, options = {}) => {
  const [program, ...args] = argv;
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: options.env ? { ...options.env } : undefined,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();

  let timedOut = false;
  let aborted = false;
  const timer = options.timeout !== undefined
    ? setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeout * 1000)
    : undefined;
  const onAbort = () => {
    aborted = true;
    killGroup(child.pid);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort);

  const kept = new OutputCollector({ limit: options.outputLimit });
  const sink = (line: OutputLine) => {
    kept.push(line);
    options.onOutput?.(line);
  };
  try {
    const work: Promise<void>[] = [
      options.stdoutBytes
        ? child.stdout.pipeTo(options.stdoutBytes)
        : readLines(child.stdout, "stdout", sink),
      readLines(child.stderr, "stderr", sink),
    ];
    if (options.stdin !== undefined) work.push(writeStdin(child.stdin, options.stdin));
    const [status] = await Promise.all([child.status, ...work]);
    return {
      exitCode: status.signal ? null : status.code,
      signal: status.signal,
      timedOut,
      aborted,
      output: kept.output(),
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    if (timedOut || aborted) killGroup(child.pid);
  }
};

/**
 * Starts `sh` in a process group of its own, reading commands on stdin.
 * Starting a process group costs a fork of the whole controller (several
 * milliseconds); one shell per host pays it once instead of per command.
 */
export const spawnShell: ShellSpawner = () => {
  const child = new Deno.Command("sh", {
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    kill: () => killGroup(child.pid),
    status: child.status,
  };
};
