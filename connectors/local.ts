/**
 * The `@local` connector: runs commands on the machine skiff runs on.
 *
 * @module
 */

import {
  type CommandArguments,
  type ControlArguments,
  extractControlArguments,
} from "../lib/core/arguments.ts";
import { type Command, sh } from "../lib/core/command.ts";
import type { DataMeta } from "../lib/core/data_meta.ts";
import { InputError } from "../lib/core/errors.ts";
import { CommandOutput } from "../lib/core/output.ts";
import type { ShellProcess } from "../lib/process.ts";
import { makeUnixCommand } from "../lib/core/unix_command.ts";
import {
  BaseConnector,
  type CommandResult,
  type FileDestination,
  type FileSource,
  type NameData,
  type PutOptions,
  type RunOptions,
} from "./base.ts";
import {
  type ByteStreams,
  commandResult,
  downloadTo,
  isPrivileged,
  renderUnderSh,
  requireLocalRsync,
  tempName,
} from "./_shared.ts";
import { PersistentShell, runInShell } from "./_persistent_shell.ts";
import { stagedUpload } from "./_staged_upload.ts";

/**
 * Runs commands locally. Ordinary commands go through one persistent shell
 * (its own process group, each command in a subshell); commands with stdin,
 * a timeout or privileges of their own run as `sh -c` in a process group
 * each, as do all commands when no shell can be kept.
 */
export class LocalConnector extends BaseConnector {
  static override connectorName = "local";
  static override handlesExecution = true;
  static override dataMeta = {
    local_persistent_shell: {
      description: "Run ordinary commands through one long-lived shell instead of a process each",
      type: "boolean",
      default: true,
    },
  } satisfies Record<string, DataMeta>;
  static override description = "The machine skiff runs on";

  #shell?: PersistentShell;
  #process?: ShellProcess;

  override connect(): Promise<void> {
    const spawn = this.context.spawnShell;
    if (spawn && this.data.local_persistent_shell) {
      const process = spawn();
      this.#process = process;
      const runProcess = this.context.runProcess;
      this.#shell = new PersistentShell(process, {
        onInterrupt: () => process.kill(),
        // Cuts a command's pipes held open: kills its `cat`, not what holds them.
        breakHold: (script) => runProcess(["sh", "-c", script]),
      });
    }
    return Promise.resolve();
  }

  override async disconnect(): Promise<void> {
    const shell = this.#shell;
    const process = this.#process;
    this.#shell = undefined;
    this.#process = undefined;
    if (!shell || !process) return;
    if (shell.dead) process.kill();
    // The shell ends at EOF on its stdin. Something it started in the
    // background may still hold its output pipes open: stop waiting for
    // them shortly after the shell itself has exited.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      shell.close(),
      process.status.then(() => new Promise((resolve) => timer = setTimeout(resolve, 300))),
    ]);
    clearTimeout(timer);
  }

  /** `@local` takes no argument and yields one host in the `@local` group. */
  static *makeNamesData(arg: string | undefined): Iterable<NameData> {
    if (arg !== undefined) throw new InputError(`@local takes no argument, got "@local/${arg}"`);
    yield { name: "@local", data: {}, groups: ["@local"] };
  }

  /**
   * Runs a command: in the persistent shell when it needs no stdin, raw
   * output or timeout, else as `sh -c` in a process group of its own.
   */
  override async runShellCommand(
    command: Command | string,
    options: RunOptions & ByteStreams = {},
  ): Promise<CommandResult> {
    const { openStdin, stdoutBytes } = options;
    const { connector, command: commandArgs } = extractControlArguments(options);
    const codes = connector._success_exit_codes ?? [0];
    const shell = this.#shell;
    const plain = connector._stdin === undefined && connector._timeout === undefined &&
      openStdin === undefined && stdoutBytes === undefined;
    if (shell && !shell.dead && plain) {
      const outcome = await runInShell(shell, command, commandArgs, options, codes);
      // undefined: the shell died under this command (killed from outside).
      // Later commands get a process each.
      return outcome ?? {
        success: false,
        exitCode: null,
        error: "the local persistent shell ended",
        output: new CommandOutput([]),
      };
    }
    const argv = localArgv(command, commandArgs);
    const result = await this.context.runProcess(argv.argv, {
      env: argv.env,
      stdin: openStdin?.() ?? connector._stdin,
      stdoutBytes,
      timeout: connector._timeout,
      onOutput: options.onOutput,
      outputLimit: options.outputLimit,
      signal: options.signal,
    });
    return commandResult(result, connector._success_exit_codes);
  }

  /**
   * Copies into a private temporary file beside `remotePath`, then renames
   * (see `stagedMoveCommand`): a local path is copied by `cp` itself, in the
   * kernel, unless the move is privileged; other bytes and privileged moves
   * are streamed into the command's stdin from disk.
   */
  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    // Unprivileged, a missing directory is Deno's NotFound, as for a local copy.
    const slash = remotePath.lastIndexOf("/");
    if (!isPrivileged(options)) {
      await Deno.stat(slash < 0 ? "." : remotePath.slice(0, slash) || "/");
    }
    return await stagedUpload(source, remotePath, {
      put: options,
      readsLocalPaths: !isPrivileged(options),
      run: (command, options) => this.runShellCommand(command, options),
      tempName: this.context.tempName,
    });
  }

  override async getFile(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    if (typeof destination === "string" && !isPrivileged(options)) {
      const temp = tempName(destination);
      try {
        await Deno.copyFile(remotePath, temp);
        await Deno.rename(temp, destination);
        return true;
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw error;
      }
    }
    return await downloadTo(destination, (sink) => this.#cat(remotePath, sink, options));
  }

  async #cat(
    remotePath: string,
    sink: WritableStream<Uint8Array>,
    options: ControlArguments,
  ): Promise<boolean> {
    const { command: commandArgs } = extractControlArguments(options);
    const exec = makeUnixCommand(sh`cat ${remotePath}`, commandArgs).renderForExec();
    const result = await this.context.runProcess(["sh", "-c", exec.text], {
      env: exec.secretEnv,
      stdoutBytes: sink,
      timeout: options._timeout,
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `Could not read "${remotePath}": ${result.output.stderr || `exit code ${result.exitCode}`}`,
      );
    }
    return true;
  }

  /** Throws when `rsync` is not installed here. */
  override async checkCanRsync(): Promise<void> {
    await requireLocalRsync(this.context.runProcess);
  }

  /** Runs `rsync FLAGS SOURCE DESTINATION` as a command (so `_sudo` and friends apply). */
  override async rsync(
    source: string,
    destination: string,
    flags: readonly string[],
    options: RunOptions = {},
  ): Promise<boolean> {
    const command = sh`rsync ${[...flags]} -- ${source} ${destination}`;
    const result = await this.runShellCommand(command, options);
    return result.success;
  }
}

/**
 * The local argv for a command. Without privileges the shell runs the
 * command directly (`sh -c 'cd … && cmd'`); with them, `sh -c` runs the
 * wrapped sudo/su/doas line. Secrets travel in the environment.
 */
export function localArgv(
  command: Command | string,
  args: CommandArguments,
): { argv: string[]; env: Record<string, string> } {
  const exec = renderUnderSh(command, args);
  return { argv: ["sh", "-c", exec.text], env: exec.secretEnv };
}
