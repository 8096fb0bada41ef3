/**
 * Channels on one SSH connection: a bounded number open at once, commands
 * run each on a channel of their own (with stdin, a pty, a timeout or an
 * abort signal), and a kill of the remote process group when such a command
 * has to stop. Also owns the connection's "lost" state.
 *
 * @module
 */

import type { Client, ClientChannel } from "ssh2";
import type { ConnectorArguments } from "../../lib/core/arguments.ts";
import { type ExecForm, quote } from "../../lib/core/command.ts";
import { InputError } from "../../lib/core/errors.ts";
import { CommandOutput, LineSplitter, type OutputLine } from "../../lib/core/output.ts";
import { OutputCollector } from "../../lib/core/output_collector.ts";
import { stdinBytes } from "../../lib/process.ts";
import { ShellLostError } from "../_persistent_shell.ts";
import type { CommandResult, RunOptions } from "../base.ts";
import { pumpInto, webReadable } from "../_node_streams.ts";
import { ChannelLimit, type Closing, DEFAULT_CHANNELS, type OpenChannel } from "./channel_limit.ts";

/**
 * The process id `line` reports after `mark`, when it is a real process
 * group to kill: an integer above 1 (never 1, whose `kill -KILL -1` would
 * hit every process of the user).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { markedPid } from "./channels.ts";
 * deepStrictEqual(markedPid("M:4242", "M:"), 4242);
 * deepStrictEqual(markedPid("M:1", "M:"), undefined);
 * ```
 */
export function markedPid(line: string, mark: string): number | undefined {
  if (!line.startsWith(mark)) return undefined;
  const text = line.slice(mark.length);
  return /^[1-9][0-9]{0,9}$/.test(text) && Number(text) > 1 ? Number(text) : undefined;
}

/** How a channel ended: its exit status (if any), known once it closed. */
export interface ChannelExit {
  /** The exit status, when the server sent one. */
  code?: number;
  /** The signal that ended the command, when the server sent one. */
  signal?: string;
}

/**
 * How secret values reach a command on its own channel without touching
 * argv: the command first reads one line per secret from stdin. A value is
 * sent sh-quoted with each newline written as `"$skiff_nl"`, so a
 * multi-line value (a key, a certificate) still fits on one line; `eval`
 * turns it back into the exact value.
 *
 * @example
 * ```ts
 * import { secretsOnStdin } from "./channels.ts";
 * import { strictEqual } from "node:assert/strict";
 * const { prelude, input } = secretsOnStdin({ S: "a b\nc" });
 * strictEqual(new TextDecoder().decode(input), `'a b'"$skiff_nl"c\n`);
 * strictEqual(prelude, `skiff_nl='\n'; IFS= read -r S || exit 125; eval "S=$S"; export S; `);
 * ```
 */
export function secretsOnStdin(
  secretEnv: Readonly<Record<string, string>>,
): { prelude: string; input: Uint8Array } {
  const names = Object.keys(secretEnv);
  if (names.length === 0) return { prelude: "", input: new Uint8Array() };
  const prelude = "skiff_nl='\n'; " +
    names.map((name) =>
      `IFS= read -r ${name} || exit 125; eval "${name}=\$${name}"; export ${name}; `
    ).join("");
  const lines = names.map((name) =>
    secretEnv[name].split("\n").map(quote).join('"$skiff_nl"') + "\n"
  );
  return { prelude, input: new TextEncoder().encode(lines.join("")) };
}

/**
 * The result of a command that never ran or never finished because the
 * connection is gone.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { lostResult } from "./channels.ts";
 * deepStrictEqual(lostResult("connection lost").error, "connection lost");
 * ```
 */
export function lostResult(reason: string): CommandResult {
  return { success: false, exitCode: null, error: reason, output: new CommandOutput([]) };
}

/** What {@linkcode SshChannels.exec} needs besides the command. */
export interface ExecOptions extends Pick<RunOptions, "onOutput" | "signal" | "outputLimit"> {
  /** Bytes for the command's stdin, after any secrets (in place of `_stdin`). */
  stdin?: ReadableStream<Uint8Array>;
  /** Receives stdout as raw bytes instead of lines. */
  stdoutBytes?: WritableStream<Uint8Array>;
  /** The control arguments the connector handles itself. */
  connector: ConnectorArguments;
  /** Exit codes that count as success. */
  codes: readonly number[];
}

/**
 * The channels of one connection: at most `ssh_max_channels` open at once,
 * one of them kept for the SFTP session. An open the server refuses ("open
 * failed": sshd's MaxSessions is lower, or it has not yet freed a session
 * whose channel just closed) waits for one of ours to close and tries again.
 */
export class SshChannels {
  readonly #limit: ChannelLimit;
  readonly #outcomes = new WeakMap<ClientChannel, Promise<ChannelExit>>();
  readonly #kills = new Set<Promise<void>>();
  #client?: Client;
  #lost?: string;

  /** Channels for at most `max` open at once (`ssh_max_channels`, checked here). */
  constructor(max: unknown = DEFAULT_CHANNELS) {
    this.#limit = new ChannelLimit(max);
  }

  /** Opens later channels on `client` (the last hop); undefined when it is closed. */
  attach(client: Client | undefined): void {
    this.#client = client;
  }

  /** The client channels open on (the last hop), once attached. */
  get client(): Client | undefined {
    return this.#client;
  }

  /** Why the connection is gone, or undefined while it is usable. */
  get lost(): string | undefined {
    return this.#lost;
  }

  /** Records that the connection is gone; the first reason stays. */
  markLost(reason: string): void {
    this.#lost ??= reason;
  }

  /** Waits for a free channel slot; call the returned function to release it. */
  take(): Promise<() => void> {
    return this.#limit.take();
  }

  /** Opens a channel running `command` (see {@linkcode SshChannels.opening} for refusals). */
  open(
    command: string,
    options: { pty?: boolean; lasting?: boolean } = {},
  ): Promise<ClientChannel> {
    return this.opening(
      (client, opened) =>
        client.exec(command, options.pty ? { pty: true } : {}, (error, stream) => {
          if (stream) {
            // Record exit and close at once: they can arrive in the same batch of
            // packets as the channel's opening, before an awaiting caller listens.
            this.#outcomes.set(stream, recordOutcome(stream));
          }
          opened(error, stream);
        }),
      options,
    );
  }

  /** Opens a channel through `start` (an exec, the SFTP subsystem): {@linkcode ChannelLimit.opening}. */
  opening<T extends Closing>(
    start: OpenChannel<T>,
    options: { lasting?: boolean } = {},
  ): Promise<T> {
    return this.#limit.opening(
      () => {
        if (!this.#client || this.#lost) throw new ShellLostError(this.#lost ?? "not connected");
        return this.#client;
      },
      start,
      options,
    );
  }

  /** How a channel from {@linkcode open} ended, once it has closed. */
  closed(stream: ClientChannel): Promise<ChannelExit> {
    return this.#outcomes.get(stream)!;
  }

  /**
   * Runs a rendered command on a channel of its own: secrets through stdin,
   * then `_stdin`; a `_timeout` or an abort kills the remote process group.
   */
  async exec(exec: ExecForm, options: ExecOptions): Promise<CommandResult> {
    const { connector, codes } = options;
    if (connector._get_pty && Object.keys(exec.secretEnv).length > 0) {
      throw new InputError(
        "_get_pty cannot be combined with secret values (_sudo_password or secret()): a pty echoes the stdin they travel on",
      );
    }
    const { prelude, input: secretInput } = secretsOnStdin(exec.secretEnv);
    const track = connector._timeout !== undefined || options.signal !== undefined;
    // A marker of this command only: a line a command prints cannot name the pid to kill.
    const mark = `__skiff_pid_${crypto.randomUUID().replaceAll("-", "")}:`;
    const full = `${track ? `echo ${mark}$$ >&2; ` : ""}${prelude}${exec.text}`;
    const release = await this.take();
    let stream: ClientChannel;
    try {
      stream = await this.open(full, { pty: connector._get_pty });
    } catch (error) {
      release();
      if (error instanceof ShellLostError) return lostResult(error.message);
      throw error;
    }
    const kept = new OutputCollector({ limit: options.outputLimit });
    let remotePid: number | undefined;
    const sink = (line: OutputLine) => {
      if (line.stream === "stderr" && track && remotePid === undefined) {
        remotePid = markedPid(line.line, mark);
        if (remotePid !== undefined) return;
      }
      kept.push(line);
      options.onOutput?.(line);
    };
    const out = new LineSplitter((line) => {
      if (track && connector._get_pty && remotePid === undefined) {
        remotePid = markedPid(line, mark); // with a pty, stderr arrives on stdout
        if (remotePid !== undefined) return;
      }
      sink({ stream: "stdout", line });
    });
    const err = new LineSplitter((line) => sink({ stream: "stderr", line }));
    let timedOut = false;
    let aborted = false;
    const kill = () => {
      if (remotePid !== undefined) void this.kill(remotePid);
      stream.close();
    };
    const timer = connector._timeout !== undefined
      ? setTimeout(() => {
        timedOut = true;
        kill();
      }, connector._timeout * 1000)
      : undefined;
    const onAbort = () => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener("abort", onAbort);
    const closed = this.closed(stream);
    // Raw output goes to its sink with back-pressure (the channel pauses while the sink is full).
    const raw = options.stdoutBytes
      ? webReadable(stream).pipeTo(options.stdoutBytes).catch((error) => {
        stream.close();
        throw error;
      })
      : undefined;
    if (!raw) stream.on("data", (chunk: Uint8Array) => out.push(chunk));
    stream.stderr.on("data", (chunk: Uint8Array) => err.push(chunk));
    const input: Uint8Array[] = secretInput.length > 0 ? [secretInput] : [];
    if (connector._stdin !== undefined) input.push(stdinBytes(connector._stdin));
    for (const chunk of input) stream.write(chunk);
    let pumped: Promise<void> | undefined;
    if (options.stdin) pumped = pumpInto(options.stdin, stream, closed);
    else stream.end();
    try {
      const exit = await closed;
      await pumped;
      await raw;
      out.flush();
      err.flush();
      return this.#result(exit, { output: kept.output(), timedOut, aborted, codes });
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      release();
    }
  }

  #result(
    exit: ChannelExit,
    ended: { output: CommandOutput; timedOut: boolean; aborted: boolean; codes: readonly number[] },
  ): CommandResult {
    const { output, timedOut, aborted } = ended;
    if (timedOut || aborted) {
      return {
        success: false,
        exitCode: null,
        timedOut,
        error: timedOut ? "timed out" : "interrupted",
        output,
      };
    }
    if (exit.code === undefined) {
      if (exit.signal) {
        return {
          success: false,
          exitCode: null,
          signal: exit.signal,
          error: `killed by ${exit.signal}`,
          output,
        };
      }
      this.markLost("connection lost");
      return { success: false, exitCode: null, error: this.#lost, output };
    }
    return { success: ended.codes.includes(exit.code), exitCode: exit.code, output };
  }

  /**
   * Kills the remote process group `pid` (or the process) on a channel of
   * its own; never throws, and never signals pid 1 or below.
   * {@linkcode SshChannels.killsDone} waits for it.
   */
  kill(pid: number): Promise<void> {
    const killing = this.#kill(pid).finally(() => this.#kills.delete(killing));
    this.#kills.add(killing);
    return killing;
  }

  /** Settles when every kill started so far has run, so a disconnect cannot outrun one. */
  async killsDone(): Promise<void> {
    await Promise.all([...this.#kills]);
  }

  async #kill(pid: number): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 1) return;
    await this.aside(`kill -KILL -${pid} 2>/dev/null || kill -KILL ${pid} 2>/dev/null; true`);
  }

  /**
   * Runs `command` (skiff's own script, never a secret) on a channel of its
   * own, ignoring its output; settles when it ended, never throws.
   */
  async aside(command: string): Promise<void> {
    try {
      const release = await this.take();
      try {
        const stream = await this.open(command);
        await new Promise<void>((resolve) => {
          stream.on("close", () => resolve());
          stream.resume();
          stream.stderr.resume();
          stream.end();
        });
      } finally {
        release();
      }
    } catch {
      // The connection is gone: the server ends the session's processes itself.
    }
  }
}

function recordOutcome(stream: ClientChannel): Promise<ChannelExit> {
  let exit: ChannelExit = {};
  stream.on("exit", (code: number | null, signal?: string) => {
    exit = { code: code ?? undefined, signal: signal ?? undefined };
  });
  return new Promise((resolve) => stream.on("close", () => resolve(exit)));
}
