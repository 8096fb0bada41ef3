/**
 * A test-only stand-in for the real `@chroot` connector (written on another
 * branch): a thin LocalConnector subclass that runs each command as
 * `chroot ROOT sh -c …` (with /proc mounted) and moves files by writing into
 * ROOT from the outside. Tests switch to the real connector when it lands.
 *
 * @module
 */

import { LocalConnector } from "../../connectors/local.ts";
import type {
  CommandResult,
  FileDestination,
  FileSource,
  NameData,
  PutOptions,
  RunOptions,
} from "../../connectors/base.ts";
import { commandResult } from "../../connectors/_shared.ts";
import { type ControlArguments, extractControlArguments } from "../../lib/arguments.ts";
import type { Command } from "../../lib/command.ts";
import { makeUnixCommand } from "../../lib/unix_command.ts";

/** Runs commands inside a directory tree with chroot; for tests only. */
export class ChrootTestConnector extends LocalConnector {
  static override connectorName = "chroottest";
  static override dataMeta = {
    chroottest_root: { description: "The tree to chroot into", type: "string" as const },
  };
  static override description = "Test-only chroot connector";

  /** `@chroottest/ROOT`. */
  static override *makeNamesData(arg: string | undefined): Iterable<NameData> {
    yield { name: `@chroottest/${arg}`, data: { chroottest_root: arg }, groups: ["@chroottest"] };
  }

  /** The tree. */
  get root(): string {
    return String(this.data.chroottest_root);
  }

  /** Mounts /proc inside the tree unless it is mounted already. */
  override async connect(): Promise<void> {
    const result = await this.context.runProcess([
      "sh",
      "-c",
      'mountpoint -q "$1/proc" || mount -t proc proc "$1/proc"',
      "sh",
      this.root,
    ]);
    if (result.exitCode !== 0) throw new Error(`Cannot mount ${this.root}/proc`);
  }

  override async runShellCommand(
    command: Command | string,
    options: RunOptions = {},
  ): Promise<CommandResult> {
    const { connector, command: commandArgs } = extractControlArguments(options);
    const exec = makeUnixCommand(command, commandArgs).renderForExec();
    const result = await this.context.runProcess(["chroot", this.root, "sh", "-c", exec.text], {
      env: exec.secretEnv,
      stdin: connector._stdin,
      timeout: connector._timeout,
      onOutput: options.onOutput,
      signal: options.signal,
    });
    return commandResult(result, connector._success_exit_codes);
  }

  override putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    return super.putFile(source, `${this.root}${remotePath}`, { mode: options.mode });
  }

  override getFile(
    remotePath: string,
    destination: FileDestination,
    _options: ControlArguments = {},
  ): Promise<boolean> {
    return super.getFile(`${this.root}${remotePath}`, destination, {});
  }
}
