/**
 * A persistent shell: one long-lived `sh` that runs commands one after
 * another, each in a frame of its own (`_shell_frame.ts`): its own pipes,
 * its stdout, stderr and exit status marked by a marker new for the
 * command. It saves a session (or process) per command, and commands asked
 * for while others run are sent at once (the shell runs them in order), so
 * they share a round trip. Commands that need their own stdin, a pty or a
 * timeout do not belong here: the connector runs those on their own channel.
 *
 * A command is done when every process holding its pipes has closed them.
 * Output after it exited makes it fail; pipes still held `holdLimit` after
 * it exited are cut (`breakHoldScript`: its `cat` is killed, not what holds
 * them), and the same shell goes on with the commands already sent to it:
 * none runs twice, none is dropped.
 *
 * @module
 */

import type { CommandArguments } from "../lib/core/arguments.ts";
import { type Command, quote } from "../lib/core/command.ts";
import { LineSplitter, type OutputLine, type StreamName } from "../lib/core/output.ts";
import { makeUnixCommand } from "../lib/core/unix_command.ts";
import type { CommandResult, RunOptions } from "./base.ts";
import { renderUnderSh } from "./_shared.ts";
import { breakHoldScript, framedScript, frameMarker, type ShellGate } from "./_shell_frame.ts";
import {
  Frame,
  HOLD_LIMIT,
  shellCommandResult,
  ShellInterruptedError,
  ShellLostError,
  type ShellResult,
} from "./_frame_reader.ts";

export { ShellInterruptedError, ShellLostError, type ShellResult } from "./_frame_reader.ts";

/** The byte streams of a running shell. */
export interface ShellStreams {
  /** Its standard input. */
  readonly stdin: WritableStream<Uint8Array>;
  /** Its standard output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its standard error. */
  readonly stderr: ReadableStream<Uint8Array>;
}

/** How a persistent shell reports who it is and lets its owner end it. */
export interface PersistentShellOptions {
  /**
   * Called once when a command's abort signal fires while it runs, with the
   * shell's process id (from `$$`, when it has arrived). The owner kills the
   * shell's process group there: the command runs in a subshell of it.
   */
  onInterrupt?: (pid: number | undefined) => void;
  /**
   * A command the shell's own start already runs, framed by this marker
   * (see `startedScript`), before it reads its stdin: its result
   * is {@linkcode PersistentShell.firstResult}.
   */
  started?: { marker: string } & Omit<RunInShellOptions, "secretEnv">;
  /**
   * Runs a script beside the shell, as its user (local: a process; SSH: a
   * channel of its own): how a command's pipes held open are cut. A frame
   * that still has not ended `holdLimit` after it settled (or without it)
   * loses the shell.
   */
  breakHold?: (script: string) => Promise<unknown> | void;
  /** How long a command's pipes may stay open after it exited before they are cut (ms, default 2000). */
  holdLimit?: number;
}

/**
 * The start of the shell's first line: when it exits (its input ended: the
 * owner closed it, or the connection under it dropped) it removes the files
 * listed in `skiff_rm`. Commands run in subshells, which never inherit the trap.
 */
const EXIT_TRAP = `skiff_rm=; trap 'eval "rm -f -- $skiff_rm"' EXIT; `;

interface Pending {
  frame: Frame;
  /** Set once the command exited: when its pipes are cut, then when the shell is given up. */
  timer?: ReturnType<typeof setTimeout>;
  /** Why its `cat` was killed: its pipes were held open, or a process it left printed. */
  cut?: "held" | "stray";
  resolve: (result: ShellResult) => void;
  reject: (error: Error) => void;
}

/** What one command in the persistent shell may carry. */
export interface RunInShellOptions {
  /** Secret values, assigned inside the command's subshell. */
  secretEnv?: Readonly<Record<string, string>>;
  /** Receives each output line as it arrives. */
  onOutput?: (line: OutputLine) => void;
  /** Aborting it kills the command (and the shell with it). */
  signal?: AbortSignal;
  /** Characters of each stream's start and end the result keeps (default 1 MiB). */
  outputLimit?: number;
  /** Run only while no earlier command of this gate failed. */
  gate?: ShellGate;
}

/** Runs commands one at a time through a long-lived shell, sending each as soon as it is asked for. */
export class PersistentShell {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #encoder = new TextEncoder();
  /** Until the started command's answer (if any): later commands are sent after it. */
  #ready: Promise<unknown> | undefined;
  /** Commands sent and not finished, in the order the shell runs them. */
  readonly #pending: Pending[] = [];
  #flights = 0;
  #dead = false;
  #interrupted = false;
  #pid: number | undefined;
  /** Random per shell, so no command's output can pass for it. */
  readonly #pidLine = `__skiff_shell_pid_${crypto.randomUUID().replaceAll("-", "")}:`;
  readonly #onInterrupt?: (pid: number | undefined) => void;
  readonly #breakHold?: (script: string) => Promise<unknown> | void;
  readonly #holdLimit: number;
  readonly #removals = new Set<string>();
  readonly #firstResult?: Promise<ShellResult>;
  #closed: Promise<void>;

  /**
   * Takes over the streams of a shell that reads commands on stdin. The
   * shell first reports its process id, so an interrupted command can be
   * killed with the shell's process group.
   */
  constructor(streams: ShellStreams, options: PersistentShellOptions = {}) {
    this.#writer = streams.stdin.getWriter();
    this.#onInterrupt = options.onInterrupt;
    this.#breakHold = options.breakHold;
    this.#holdLimit = options.holdLimit ?? HOLD_LIMIT;
    this.#closed = Promise.all([
      this.#read(streams.stdout, "stdout"),
      this.#read(streams.stderr, "stderr"),
    ]).then(() => this.#lose());
    const init = () => this.#write(`${EXIT_TRAP}printf '%s%s\\n' ${this.#pidLine} "$$"\n`);
    const started = options.started;
    if (!started) {
      init();
      return;
    }
    // After the started command's answer, with the next command: sent at once, this
    // first line would be a flight of its own before that answer.
    this.#firstResult = this.#expect(started.marker, started);
    this.#firstResult.then(init, init);
    this.#ready = this.#firstResult.catch(() => {}).then(() => this.#ready = undefined);
  }

  /** The result of the command the shell's start ran (`started`), if any. */
  get firstResult(): Promise<ShellResult> | undefined {
    return this.#firstResult;
  }

  #write(text: string): void {
    this.#writer.write(this.#encoder.encode(text)).catch(() => this.#lose());
  }

  /**
   * Removes `path` (on the shell's machine) if the shell ends before the
   * returned function is called. The shell's stdin closes when its
   * connection drops, so a file a transfer cut off left behind is removed
   * once the host notices the drop. Costs no round trip: one line written
   * to the shell, answered by nothing.
   */
  removeOnExit(path: string): () => void {
    this.#removals.add(path);
    this.#writeRemovals();
    return () => {
      if (this.#removals.delete(path)) this.#writeRemovals();
    };
  }

  #writeRemovals(): void {
    if (this.#dead) return;
    this.#write(`skiff_rm=${quote([...this.#removals].map(quote).join(" "))}\n`);
  }

  /** True once the shell has ended; later commands must go elsewhere. */
  get dead(): boolean {
    return this.#dead;
  }

  /** How long a command's pipes may stay open after it exited (ms). */
  get holdLimit(): number {
    return this.#holdLimit;
  }

  /** True when the shell ended because a command was interrupted, not because it was lost. */
  get interrupted(): boolean {
    return this.#interrupted;
  }

  /** True while a command sent to it has not ended. */
  get busy(): boolean {
    return this.#pending.length > 0;
  }

  /** Commands sent to an idle shell: the round trips its commands cost. */
  get flights(): number {
    return this.#flights;
  }

  async #read(stream: ReadableStream<Uint8Array>, name: StreamName): Promise<void> {
    const splitter = new LineSplitter((line) => this.#line(name, line));
    try {
      for await (const chunk of stream) splitter.push(chunk);
    } catch {
      // The stream broke: the shell is gone.
    }
    splitter.flush();
    // Every frame ends on stdout: the shell is gone when stdout ends. Its stderr
    // may end first (the two ends are read in either order) with frames still to come.
    if (name === "stdout") this.#lose();
  }

  #line(stream: StreamName, line: string): void {
    if (this.#pid === undefined && stream === "stdout" && line.startsWith(this.#pidLine)) {
      const pid = Number(line.slice(this.#pidLine.length));
      // Never 1 or garbage: the owner kills the process group of this pid.
      if (Number.isInteger(pid) && pid > 1) this.#pid = pid;
      return;
    }
    // Everything of a command comes on stdout, in the order the shell ran them.
    const pending = this.#pending[0];
    if (!pending) return;
    const frame = pending.frame;
    if (stream === "stderr") frame.stderr(line);
    else if (frame.stdout(line)) return this.#finish();
    if (frame.strayCount > 0 && !pending.cut) this.#cut(pending, "stray");
    else if (frame.exited && pending.timer === undefined) {
      pending.timer = setTimeout(() => this.#cut(pending, "held"), this.#holdLimit);
    }
  }

  #finish(): void {
    const done = this.#pending.shift()!;
    clearTimeout(done.timer);
    done.resolve(done.frame.result(done.cut === "held"));
  }

  /**
   * A process the command left holds its pipes, or printed after it: kill
   * the command's `cat`, so the shell goes on. If the frame still has not
   * ended `holdLimit` after that, the shell is lost.
   */
  #cut(pending: Pending, why: "held" | "stray"): void {
    clearTimeout(pending.timer);
    pending.cut = why;
    const giveUp = () => {
      if (this.#pending[0] !== pending || this.#dead) return;
      pending.timer = setTimeout(() => {
        if (this.#pending[0] !== pending) return;
        this.#lose();
        this.#writer.close().catch(() => {});
      }, this.#holdLimit);
    };
    Promise.resolve(this.#breakHold?.(breakHoldScript(pending.frame.marker))).then(giveUp, giveUp);
  }

  #lose(): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const pending of this.#pending.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(new ShellLostError());
    }
  }

  #interrupt(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#interrupted = true;
    for (const pending of this.#pending.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(new ShellInterruptedError(pending.frame.output()));
    }
    this.#onInterrupt?.(this.#pid);
  }

  /**
   * Runs one command after those already sent: written at once (after the started command's
   * answer), run when those before it ended. An abort interrupts every command sent.
   */
  run(
    command: string,
    options: RunInShellOptions = {},
  ): Promise<ShellResult> {
    if (this.#ready) return this.#ready.then(() => this.#runNow(command, options, false));
    return this.#runNow(command, options, false);
  }

  /**
   * Runs `command` as the last one: its script and the end of the shell's
   * input go out together, so it costs no round trip beyond the one that
   * ends the shell. Resolves with its result once the shell has ended.
   */
  async closeAfter(command: string, options: RunInShellOptions = {}): Promise<ShellResult> {
    const result = this.#ready
      ? this.#ready.then(() => this.#runNow(command, options, true))
      : this.#runNow(command, options, true);
    try {
      return await result;
    } finally {
      await this.close();
    }
  }

  #runNow(
    command: string,
    options: RunInShellOptions,
    thenClose: boolean,
  ): Promise<ShellResult> {
    if (options.signal?.aborted) return Promise.reject(new ShellInterruptedError());
    if (this.#dead) {
      return Promise.reject(this.#interrupted ? new ShellInterruptedError() : new ShellLostError());
    }
    const marker = frameMarker();
    const result = this.#expect(marker, options);
    this.#write(framedScript(command, options.secretEnv ?? {}, marker, options.gate));
    if (thenClose) this.#writer.close().catch(() => {});
    return result;
  }

  /** Waits for the output framed by `marker`; an abort of `options.signal` interrupts it. */
  #expect(
    marker: string,
    options: Omit<RunInShellOptions, "secretEnv">,
  ): Promise<ShellResult> {
    if (options.signal?.aborted) return Promise.reject(new ShellInterruptedError());
    const onAbort = () => this.#interrupt();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    return new Promise<ShellResult>((resolve, reject) => {
      if (this.#pending.length === 0) this.#flights++;
      this.#pending.push({
        frame: new Frame(marker, { outputLimit: options.outputLimit, onOutput: options.onOutput }),
        resolve,
        reject,
      });
    }).finally(() => options.signal?.removeEventListener("abort", onAbort));
  }

  /** Ends the shell (EOF on its stdin) and waits for it to finish. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#closed;
  }
}

/**
 * Runs a connector's command in its persistent shell. Each command is
 * evaluated in a subshell of a POSIX sh already, so skiff's own unprivileged
 * scripts (`sharedShell`) skip the `sh -c` of their own; an operator's
 * command keeps it (and its own `$$`). An interrupted command comes back as
 * `interrupted`; `undefined` means the shell was lost under the command.
 */
export async function runInShell(
  shell: PersistentShell,
  command: Command | string,
  commandArgs: CommandArguments,
  options: RunOptions,
  codes: readonly number[],
  gate?: ShellGate,
): Promise<CommandResult | undefined> {
  const exec = options.sharedShell
    ? renderUnderSh(command, commandArgs)
    : makeUnixCommand(command, commandArgs).renderForExec();
  return await shellCommandResult(
    shell.run(exec.text, {
      secretEnv: exec.secretEnv,
      onOutput: options.onOutput,
      outputLimit: options.outputLimit,
      signal: options.signal,
      gate,
    }),
    codes,
    shell.holdLimit,
  );
}
