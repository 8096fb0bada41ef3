/**
 * A persistent shell: one long-lived `sh` that runs commands one after
 * another, each in a subshell, with its stdout, stderr and exit status framed
 * by a marker unique to the command. It saves a session (or process) per
 * command. Commands that need their own stdin, a pty or a timeout do not
 * belong here: the connector runs those on their own channel.
 *
 * @module
 */

import { quote } from "../lib/command.ts";
import { CommandOutput, LineSplitter, type OutputLine, type StreamName } from "../lib/output.ts";

/** The byte streams of a running shell. */
export interface ShellStreams {
  /** Its standard input. */
  readonly stdin: WritableStream<Uint8Array>;
  /** Its standard output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its standard error. */
  readonly stderr: ReadableStream<Uint8Array>;
}

/** The outcome of one command in the persistent shell. */
export interface ShellResult {
  /** Exit status of the command's subshell. */
  exitCode: number;
  /** Its output. */
  output: CommandOutput;
}

/** The shell ended (or its connection was lost) before a command finished. */
export class ShellLostError extends Error {
  /** Creates the error. */
  constructor(message = "connection lost: the persistent shell ended") {
    super(message);
    this.name = "ShellLostError";
  }
}

interface Pending {
  marker: string;
  lines: OutputLine[];
  onOutput?: (line: OutputLine) => void;
  exitCode?: number;
  done: Record<StreamName, boolean>;
  heldEmpty: Record<StreamName, boolean>;
  resolve: (result: ShellResult) => void;
  reject: (error: Error) => void;
}

/**
 * The script text that runs `command` framed by `marker`, with secrets
 * assigned inside the subshell (they travel on stdin, never in argv).
 *
 * @example
 * ```ts
 * import { framedScript } from "./_persistent_shell.ts";
 * framedScript("echo hi", {}, "M1");
 * // "( eval 'echo hi' ) </dev/null; printf '\\n%s:%d\\n' M1 \"$?\"; printf '\\n%s\\n' M1 >&2\n"
 * ```
 */
export function framedScript(
  command: string,
  secretEnv: Readonly<Record<string, string>>,
  marker: string,
): string {
  const assignments = Object.entries(secretEnv).map(([name, value]) =>
    `${name}=${quote(value)}; export ${name}; `
  )
    .join("");
  return `( ${assignments}eval ${
    quote(command)
  } ) </dev/null; printf '\\n%s:%d\\n' ${marker} "$?"; ` +
    `printf '\\n%s\\n' ${marker} >&2\n`;
}

/** Runs commands one at a time through a long-lived shell. */
export class PersistentShell {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  #queue: Promise<unknown> = Promise.resolve();
  #current: Pending | undefined;
  #dead = false;
  #closed: Promise<void>;

  /** Takes over the streams of a shell that reads commands on stdin. */
  constructor(streams: ShellStreams) {
    this.#writer = streams.stdin.getWriter();
    this.#closed = Promise.all([
      this.#read(streams.stdout, "stdout"),
      this.#read(streams.stderr, "stderr"),
    ]).then(() => this.#lose());
  }

  /** True once the shell has ended; later commands must go elsewhere. */
  get dead(): boolean {
    return this.#dead;
  }

  async #read(stream: ReadableStream<Uint8Array>, name: StreamName): Promise<void> {
    const splitter = new LineSplitter((line) => this.#line(name, line));
    try {
      for await (const chunk of stream) splitter.push(chunk);
    } catch {
      // The stream broke: the shell is gone.
    }
    splitter.flush();
    this.#lose();
  }

  #line(stream: StreamName, line: string): void {
    const pending = this.#current;
    if (!pending || pending.done[stream]) return;
    if (stream === "stdout" && line.startsWith(`${pending.marker}:`)) {
      pending.heldEmpty.stdout = false;
      pending.exitCode = Number(line.slice(pending.marker.length + 1));
      pending.done.stdout = true;
    } else if (stream === "stderr" && line === pending.marker) {
      pending.heldEmpty.stderr = false;
      pending.done.stderr = true;
    } else {
      // The line before the marker is the newline the frame printed: hold an
      // empty line back until we know it is not that one.
      if (pending.heldEmpty[stream]) this.#emit(pending, { stream, line: "" });
      pending.heldEmpty[stream] = line === "";
      if (line !== "") this.#emit(pending, { stream, line });
      return;
    }
    if (pending.done.stdout && pending.done.stderr) {
      this.#current = undefined;
      pending.resolve({ exitCode: pending.exitCode!, output: new CommandOutput(pending.lines) });
    }
  }

  #emit(pending: Pending, line: OutputLine): void {
    pending.lines.push(line);
    pending.onOutput?.(line);
  }

  #lose(): void {
    if (this.#dead) return;
    this.#dead = true;
    const pending = this.#current;
    this.#current = undefined;
    pending?.reject(new ShellLostError());
  }

  /** Runs one command (queued behind the others). */
  run(
    command: string,
    options: {
      secretEnv?: Readonly<Record<string, string>>;
      onOutput?: (line: OutputLine) => void;
    } = {},
  ): Promise<ShellResult> {
    const next = this.#queue.then(() => this.#runNow(command, options));
    this.#queue = next.catch(() => {});
    return next;
  }

  #runNow(
    command: string,
    options: {
      secretEnv?: Readonly<Record<string, string>>;
      onOutput?: (line: OutputLine) => void;
    },
  ): Promise<ShellResult> {
    if (this.#dead) return Promise.reject(new ShellLostError());
    const marker = `__skiff_${crypto.randomUUID().replaceAll("-", "")}`;
    return new Promise<ShellResult>((resolve, reject) => {
      this.#current = {
        marker,
        lines: [],
        onOutput: options.onOutput,
        done: { stdout: false, stderr: false },
        heldEmpty: { stdout: false, stderr: false },
        resolve,
        reject,
      };
      const script = framedScript(command, options.secretEnv ?? {}, marker);
      this.#writer.write(this.#encoder.encode(script)).catch(() => this.#lose());
    });
  }

  /** Ends the shell (EOF on its stdin) and waits for it to finish. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#closed;
  }
}
