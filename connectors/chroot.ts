/**
 * The `@chroot` connector: runs commands inside a directory tree with
 * `chroot DIR sh -c …`.
 *
 * The argument is always a path from `/`: `@chroot/srv/root` and
 * `@chroot//srv/root` both mean `/srv/root` (relative paths would depend on
 * where skiff happens to run).
 *
 * With `chroot_mount: true` every command runs in a private mount namespace
 * (`unshare --mount`) where `/proc` is mounted and `/sys` and `/dev` are
 * bind-mounted into the tree. The host never sees those mounts, and the
 * kernel removes them when the last process of the command exits — on
 * success, failure, timeout, Ctrl-C or even a killed skiff — so a later
 * `rm -rf` of the tree cannot reach the host's `/dev`.
 *
 * Files are read and written by `cat` running inside the chroot, so
 * absolute symlinks in the tree resolve inside it, never on the host.
 *
 * @module
 */

import { type ControlArguments, extractControlArguments } from "../lib/core/arguments.ts";
import type { Command } from "../lib/core/command.ts";
import { ConnectError, InputError } from "../lib/core/errors.ts";
import type { ProcessOptions, ProcessResult } from "../lib/process.ts";
import {
  BaseConnector,
  type CommandResult,
  type ConnectorContext,
  type DataMeta,
  type FileDestination,
  type FileSource,
  type HostInfo,
  type NameData,
  type PutOptions,
  type RunOptions,
} from "./base.ts";
import { type ByteStreams, renderUnderSh } from "./_shared.ts";
import { stagedUpload } from "./_staged_upload.ts";
import { type ExecProcess, getFileThroughExec, runThroughExec } from "./_exec_process.ts";

/**
 * The script that mounts `/proc`, `/sys` and `/dev` into the tree `$1` inside
 * a private mount namespace, then runs `$2` there. It refuses mount points
 * that are symlinks or missing (exit 125).
 */
export const CHROOT_MOUNT_SCRIPT = [
  'for m in proc sys dev; do if [ -L "$1/$m" ] || [ ! -d "$1/$m" ]; then',
  'echo "skiff: $1/$m is not a directory: cannot mount it" >&2; exit 125; fi; done',
  '&& mount -t proc proc "$1/proc" && mount --rbind /sys "$1/sys" && mount --rbind /dev "$1/dev"',
  '|| exit 125; exec chroot "$1" sh -c "$2"',
].join(" ");

/**
 * The argv that runs the shell command line `command` in the tree
 * `directory`; with `mount`, inside a private mount namespace that has
 * `/proc`, `/sys` and `/dev` mounted.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { chrootArgv } from "./chroot.ts";
 * deepStrictEqual(chrootArgv("/srv/root", "sh -c id"), ["chroot", "/srv/root", "sh", "-c", "sh -c id"]);
 * ```
 */
export function chrootArgv(
  directory: string,
  command: string,
  options: { mount?: boolean } = {},
): string[] {
  if (!options.mount) return ["chroot", directory, "sh", "-c", command];
  return [
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "sh",
    "-c",
    CHROOT_MOUNT_SCRIPT,
    "skiff-chroot",
    directory,
    command,
  ];
}

/**
 * Normalises a chroot directory: always from `/`, no empty, `.` or `..`
 * parts, no trailing slash. The tree `/` itself is refused.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { chrootDirectory } from "./chroot.ts";
 * deepStrictEqual(chrootDirectory("srv/root"), "/srv/root");
 * deepStrictEqual(chrootDirectory("//srv//root/"), "/srv/root");
 * ```
 */
export function chrootDirectory(path: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) {
    throw new InputError(`Chroot directory "${path}" must not contain ".."`);
  }
  if (parts.length === 0) throw new InputError(`Chroot directory "${path}" is the root itself`);
  return "/" + parts.join("/");
}

/** Runs commands in a directory tree through `chroot`, optionally with /proc, /sys and /dev. */
export class ChrootConnector extends BaseConnector {
  static override connectorName = "chroot";
  static override handlesExecution = true;
  static override dataMeta: Readonly<Record<string, DataMeta>> = {
    chroot_directory: {
      description: "The tree to chroot into, from / (for example /srv/root)",
      type: "string",
    },
    chroot_mount: {
      description:
        "Mount /proc, /sys and /dev in the tree for each command (private mount namespace)",
      type: "boolean",
      default: false,
    },
  };
  static override description = "A directory tree, entered with chroot (needs root)";

  readonly #directory: string;
  #realDirectory: string | undefined;

  /** `@chroot/srv/root` yields one host in the `@chroot` group with `chroot_directory: /srv/root`. */
  static *makeNamesData(arg: string | undefined): Iterable<NameData> {
    if (arg === undefined || arg === "") {
      throw new InputError(`@chroot needs a directory: "@chroot/path/to/root"`);
    }
    yield {
      name: `@chroot/${arg}`,
      data: { chroot_directory: chrootDirectory(arg) },
      groups: ["@chroot"],
    };
  }

  /** Validates the host data; the directory must be set. */
  constructor(host: HostInfo, context: ConnectorContext) {
    super(host, context);
    const directory = this.data.chroot_directory;
    if (typeof directory !== "string") {
      throw new InputError(`Host "${host.name}": chroot_directory is not set`);
    }
    this.#directory = chrootDirectory(directory);
  }

  /** The tree, with symlinks in its own path resolved once connected. */
  get directory(): string {
    return this.#realDirectory ?? this.#directory;
  }

  async #run(argv: readonly string[], options?: ProcessOptions): Promise<ProcessResult> {
    try {
      return await this.context.runProcess(argv, options);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new ConnectError(`Cannot run "${argv[0]}": it is not installed or not on PATH`, {
          cause: error,
          permanent: true,
        });
      }
      throw error;
    }
  }

  /** Checks that the tree exists and that a shell runs in it (and the mounts work, if asked). */
  override async connect(): Promise<void> {
    let real: string;
    try {
      real = await Deno.realPath(this.#directory);
      if (!(await Deno.stat(real)).isDirectory) throw new Error("not a directory");
    } catch (error) {
      throw new ConnectError(
        `Chroot directory "${this.#directory}" is not usable: ${
          error instanceof Error ? error.message : error
        }`,
        { permanent: true },
      );
    }
    const result = await this.#run(
      chrootArgv(real, "exit 0", { mount: Boolean(this.data.chroot_mount) }),
    );
    if (result.exitCode !== 0) {
      throw new ConnectError(
        `Cannot enter chroot "${real}": ${result.output.stderr || `exit code ${result.exitCode}`}`,
        { permanent: true },
      );
    }
    this.#realDirectory = real;
  }

  /** Runs one command in the tree as a local `chroot … sh -c` process. */
  readonly #exec: ExecProcess = async (command, options) => {
    const { connector, command: commandArgs } = extractControlArguments(options);
    const exec = renderUnderSh(command, commandArgs); // the tree's `sh -c` runs the line
    return await this.#run(
      chrootArgv(this.directory, exec.text, { mount: Boolean(this.data.chroot_mount) }),
      {
        env: exec.secretEnv,
        stdin: options.stdin ?? connector._stdin,
        timeout: connector._timeout,
        onOutput: options.onOutput,
        outputLimit: options.outputLimit,
        signal: options.signal,
        stdoutBytes: options.stdoutBytes,
      },
    );
  };

  /** Runs the command in the tree (a `chroot` process each; `chroot_mount` adds the mounts). */
  override async runShellCommand(
    command: Command | string,
    options: RunOptions & ByteStreams = {},
  ): Promise<CommandResult> {
    return await runThroughExec(this.#exec, command, options);
  }

  /**
   * Streams the content from disk into `cat` inside the chroot, to a
   * temporary name beside `remotePath`, then renames it into place (see
   * `stagedMoveCommand`: the byte count is checked before the rename);
   * `_sudo` and friends apply. `mode` defaults to the mode of the replaced
   * file, or 644.
   */
  override async putFile(
    source: FileSource,
    remotePath: string,
    options: PutOptions = {},
  ): Promise<boolean> {
    return await stagedUpload(source, remotePath, {
      put: options,
      run: (command, options) => this.runShellCommand(command, options),
      where: ` in chroot "${this.directory}"`,
      tempName: this.context.tempName,
    });
  }

  /** Reads `remotePath` with `cat` inside the chroot into a local path (temp + rename) or a stream. */
  override async getFile(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments = {},
  ): Promise<boolean> {
    return await getFileThroughExec(this.#exec, remotePath, {
      destination,
      args: options,
      where: ` in chroot "${this.directory}"`,
    });
  }
}
