/**
 * The SSH side of the persistent shell (the shell itself is shared with
 * `@local` in `connectors/_persistent_shell.ts`): one `exec sh` channel for
 * the whole connection, and the choice of shell or own channel per command.
 *
 * @module
 */

import { extractControlArguments } from "../../lib/core/arguments.ts";
import type { Command } from "../../lib/core/command.ts";
import { makeUnixCommand } from "../../lib/core/unix_command.ts";
import { PersistentShell, runInShell, type ShellGate } from "../_persistent_shell.ts";
import { webReadable, webWritable } from "../_node_streams.ts";
import type { BatchOptions, CommandResult, RunOptions } from "../base.ts";
import { lostResult, type SshChannels } from "./channels.ts";

/**
 * Starts the persistent shell on a channel of its own (holding one channel
 * slot until it closes). An interrupted command kills the shell's process
 * group and closes the channel.
 */
export async function startShell(channels: SshChannels): Promise<PersistentShell> {
  const release = await channels.take();
  // `exec` makes the shell the session leader, so its process group holds
  // every command it runs: killing the group ends an interrupted command.
  const stream = await channels.open("exec sh").catch((error) => {
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
  options: RunOptions & SshRunTarget,
): Promise<CommandResult> {
  const { channels, shell } = options;
  const { connector, command: commandArgs } = extractControlArguments(options);
  const codes = connector._success_exit_codes ?? [0];
  if (channels.lost) return lostResult(channels.lost);
  const simple = connector._stdin === undefined && !connector._get_pty &&
    connector._timeout === undefined;
  if (simple && shell && !shell.dead) {
    const outcome = await runInShell(shell, command, commandArgs, options, codes);
    if (outcome) return outcome;
    channels.markLost("connection lost");
    return lostResult("connection lost");
  }
  const exec = makeUnixCommand(command, commandArgs).renderForExec();
  return await channels.exec(exec, {
    connector,
    codes,
    onOutput: options.onOutput,
    outputLimit: options.outputLimit,
    signal: options.signal,
  });
}

/**
 * Sends every command of a batch to the persistent shell at once (one
 * round trip for all of them); with `stopOnFailure` the shell skips those
 * after a failure itself ({@linkcode ShellGate}). Undefined when the batch
 * cannot go that way (no live shell, or a command needs stdin, a pty or a
 * timeout): the caller runs it one command at a time. `onStart` of a
 * command fires when the one before it ended, or at its first output line.
 */
export async function runSshCommands(
  commands: readonly (Command | string)[],
  options: RunOptions & SshRunTarget & { batch: BatchOptions },
): Promise<CommandResult[] | undefined> {
  const { channels, shell, batch } = options;
  const { connector, command: commandArgs } = extractControlArguments(options);
  const simple = connector._stdin === undefined && !connector._get_pty &&
    connector._timeout === undefined;
  if (!simple || !shell || shell.dead || channels.lost) return undefined;
  const codes = connector._success_exit_codes ?? [0];
  const gate: ShellGate | undefined = batch.stopOnFailure
    ? { name: `skiff_gate_${crypto.randomUUID().replaceAll("-", "")}`, codes }
    : undefined;
  let started = 0;
  const start = (index: number) => {
    for (; started <= index; started++) batch.onStart?.(started);
  };
  start(0);
  const outcomes = await Promise.all(commands.map(async (command, index) => {
    const outcome = await runInShell(
      shell,
      command,
      commandArgs,
      {
        ...options,
        onOutput: (line) => {
          start(index);
          batch.onOutputOf?.(index, line);
        },
      },
      codes,
      gate,
    );
    const next = index + 1 < commands.length && outcome !== undefined && !outcome.skipped &&
      (outcome.success || !batch.stopOnFailure);
    if (next) start(index + 1);
    return outcome;
  }));
  if (outcomes.some((outcome) => outcome === undefined)) {
    channels.markLost("connection lost");
    return outcomes.map((outcome) => outcome ?? lostResult("connection lost"));
  }
  return outcomes as CommandResult[];
}
