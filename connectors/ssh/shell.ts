/**
 * The SSH side of the persistent shell (the shell itself is shared with
 * `@local` in `connectors/_persistent_shell.ts`): one `exec sh` channel for
 * the whole connection, and the choice of shell or own channel per command.
 *
 * @module
 */

import { extractControlArguments } from "../../lib/core/arguments.ts";
import { type Command, quote } from "../../lib/core/command.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";
import { PersistentShell, type RunInShellOptions } from "../_persistent_shell.ts";
import { shellCommandResult, type ShellResult } from "../_frame_reader.ts";
import { frameMarker, type ShellGate, startedScript } from "../_shell_frame.ts";
import { type ByteStreams, renderUnderSh } from "../_shared.ts";
import { webReadable, webWritable } from "../_node_streams.ts";
import type { BatchOptions, CommandResult, RunOptions } from "../base.ts";
import { lostResult, type SshChannels } from "./channels.ts";

/** A command rendered for the persistent shell, with what counts as its success. */
export interface ShellCommand extends RunInShellOptions {
  /** The rendered command. */
  text: string;
  /** Exit codes that count as success. */
  codes: readonly number[];
}

/**
 * `command` rendered for the persistent shell as {@linkcode runSshCommand}
 * would run it there; undefined when it needs a channel of its own (stdin,
 * a pty, a timeout or raw output bytes).
 */
export function inShell(
  command: Command | string,
  options: RunOptions & ByteStreams,
): ShellCommand | undefined {
  const { connector, command: commandArgs } = extractControlArguments(options);
  if (
    connector._stdin !== undefined || connector._get_pty || connector._timeout !== undefined ||
    options.openStdin !== undefined || options.stdoutBytes !== undefined
  ) {
    return undefined;
  }
  const exec = options.sharedShell
    ? renderUnderSh(command, commandArgs)
    : makeUnixCommand(command, commandArgs).renderForExec();
  return {
    text: exec.text,
    secretEnv: exec.secretEnv,
    codes: connector._success_exit_codes ?? [0],
    onOutput: options.onOutput,
    outputLimit: options.outputLimit,
    signal: options.signal,
  };
}

/** The result of a command in the persistent shell; a shell lost under it marks the connection lost. */
export async function shellOutcome(
  running: Promise<ShellResult>,
  codes: readonly number[],
  channels: SshChannels,
  holdLimit?: number,
): Promise<CommandResult> {
  const result = await shellCommandResult(running, codes, holdLimit);
  if (result) return result;
  channels.markLost("connection lost");
  return lostResult(channels.lost ?? "connection lost");
}

/** A command the shell's start runs before it reads stdin (never one with secrets). */
export type FirstCommand = Omit<ShellCommand, "secretEnv" | "codes">;

/**
 * Starts the persistent shell on a channel of its own (holding one channel
 * slot until it closes). An interrupted command kills the shell's process
 * group and closes the channel. A `first` command runs in the channel's own
 * start, so its answer arrives with the shell's: no round trip of its own
 * (its result is the shell's `firstResult`).
 */
export async function startShell(
  channels: SshChannels,
  first?: FirstCommand,
): Promise<PersistentShell> {
  const release = await channels.take();
  const marker = first ? frameMarker() : undefined;
  // `exec` makes the shell the session leader, so its process group holds
  // every command it runs: killing the group ends an interrupted command.
  const command = first ? `exec sh -c ${quote(startedScript(first.text, marker!))}` : "exec sh";
  const stream = await channels.open(command, { lasting: true }).catch((error) => {
    release();
    throw error;
  });
  stream.on("close", release);
  return new PersistentShell({
    stdin: webWritable(stream),
    stdout: webReadable(stream),
    stderr: webReadable(stream.stderr),
  }, {
    onInterrupt: (pid) => {
      if (pid !== undefined) void channels.kill(pid);
      stream.close();
    },
    breakHold: (script) => channels.aside(script),
    started: first && {
      marker: marker!,
      onOutput: first.onOutput,
      outputLimit: first.outputLimit,
      signal: first.signal,
    },
  });
}

/** Where {@linkcode runSshCommand} runs a command. */
export interface SshRunTarget {
  /** The connection's channels. */
  channels: SshChannels;
  /** The persistent shell, when there is one. */
  shell?: PersistentShell;
}

/**
 * Runs one command: in the persistent shell when it needs no stdin, pty or
 * timeout and the shell lives, else on a channel of its own. A shell lost
 * under the command marks the connection lost.
 */
export async function runSshCommand(
  command: Command | string,
  options: RunOptions & SshRunTarget & ByteStreams,
): Promise<CommandResult> {
  const { channels, shell, openStdin, stdoutBytes } = options;
  if (channels.lost) return lostResult(channels.lost);
  const script = inShell(command, options);
  if (script && shell && !shell.dead) {
    return await shellOutcome(
      shell.run(script.text, script),
      script.codes,
      channels,
      shell.holdLimit,
    );
  }
  const { connector, command: commandArgs } = extractControlArguments(options);
  const exec = makeUnixCommand(command, commandArgs).renderForExec();
  return await channels.exec(exec, {
    connector,
    codes: connector._success_exit_codes ?? [0],
    onOutput: options.onOutput,
    outputLimit: options.outputLimit,
    signal: options.signal,
    stdin: openStdin?.(),
    stdoutBytes,
  });
}

/**
 * Sends every command of a batch to the persistent shell at once (one
 * round trip for all of them); with `stopOnFailure` the shell skips those
 * after a failure itself ({@linkcode ShellGate}). Undefined when the batch
 * cannot go that way (no live shell, or the commands need stdin, a pty or a
 * timeout): the caller runs it one command at a time. `onStart` of a
 * command fires when the one before it ended, or at its first output line.
 */
export async function runSshCommands(
  commands: readonly (Command | string)[],
  options: RunOptions & SshRunTarget & { batch: BatchOptions },
): Promise<CommandResult[] | undefined> {
  const { channels, shell, batch } = options;
  const scripts = commands.map((command) => inShell(command, options));
  if (!shell || shell.dead || channels.lost || scripts.some((script) => !script)) return undefined;
  const codes = scripts[0]!.codes;
  const gate: ShellGate | undefined = batch.stopOnFailure
    ? { name: `skiff_gate_${crypto.randomUUID().replaceAll("-", "")}`, codes }
    : undefined;
  let started = 0;
  const start = (index: number) => {
    for (; started <= index; started++) batch.onStart?.(started);
  };
  start(0);
  const outcomes = await Promise.all(scripts.map(async (script, index) => {
    const running = shell.run(script!.text, {
      ...script,
      gate,
      onOutput: (line) => {
        start(index);
        batch.onOutputOf?.(index, line);
      },
    });
    const outcome = await shellCommandResult(running, codes, shell.holdLimit);
    const next = index + 1 < commands.length && outcome !== undefined && !outcome.skipped &&
      (outcome.success || !batch.stopOnFailure);
    if (next) start(index + 1);
    return outcome;
  }));
  if (outcomes.some((outcome) => outcome === undefined)) {
    channels.markLost("connection lost");
    return outcomes.map((outcome) => outcome ?? lostResult(channels.lost ?? "connection lost"));
  }
  return outcomes as CommandResult[];
}

/** What sudo prints when it wants a password it was not given. */
export const SUDO_ASKS = /sudo: (a password is required|\d+ incorrect password)/;

/**
 * Runs a batch for the `@ssh` connector: at once through the persistent
 * shell when it can ({@linkcode runSshCommands}), else `oneAtATime`. When
 * sudo turned a command down for want of a password (it ran nothing), that
 * command and those after it go `oneAtATime`, where the password can be
 * asked for.
 */
export async function runSshBatch(
  commands: readonly (Command | string)[],
  options: RunOptions & SshRunTarget & { batch: BatchOptions },
  oneAtATime: (commands: readonly (Command | string)[], batch: BatchOptions) => Promise<
    CommandResult[]
  >,
): Promise<CommandResult[]> {
  const { batch } = options;
  const sent = commands.length < 2 ? undefined : await runSshCommands(commands, options);
  if (!sent) return await oneAtATime(commands, batch);
  const asked = options._sudo === true && options._sudo_password === undefined
    ? sent.findIndex((result) => !result.success && SUDO_ASKS.test(result.output.stderr))
    : -1;
  if (asked < 0) return sent;
  const rest = await oneAtATime(commands.slice(asked), {
    stopOnFailure: batch.stopOnFailure,
    onStart: (index) => batch.onStart?.(index + asked),
    onOutputOf: (index, line) => batch.onOutputOf?.(index + asked, line),
  });
  return [...sent.slice(0, asked), ...rest];
}
