/**
 * The connector contract shared by every way of reaching a host: DataMeta
 * documented data keys, `makeNamesData`, command execution and file transfer.
 *
 * A connector never re-implements `_sudo` and friends: it passes the command
 * through {@linkcode makeUnixCommand} and handles only `_timeout`,
 * `_success_exit_codes`, `_stdin` and `_get_pty` itself.
 *
 * @module
 */

import type { ControlArguments } from "../lib/core/arguments.ts";
import type { Command } from "../lib/core/command.ts";
import { SecretValue } from "../lib/core/command.ts";
import { checkDataValue, type DataMeta, hint } from "../lib/core/data_meta.ts";
import { InputError } from "../lib/core/errors.ts";
import { CommandOutput, type OutputLine } from "../lib/core/output.ts";
import type { ProcessRunner, ShellSpawner } from "../lib/process.ts";

export type { DataMeta } from "../lib/core/data_meta.ts";
export { ConnectError } from "../lib/core/errors.ts";

/** One host as the inventory knows it. */
export interface HostInfo {
  /** The host's name, for example `@ssh/web1` or `web1`. */
  readonly name: string;
  /** The host's merged data (connector keys, control arguments, anything else). */
  readonly data: Readonly<Record<string, unknown>>;
  /** The groups the host belongs to. */
  readonly groups: readonly string[];
}

/** What `makeNamesData` yields: one host to create. */
export interface NameData {
  /** Inventory name of the host. */
  name: string;
  /** Data the connector derives from the name (lower precedence than fleet data). */
  data: Record<string, unknown>;
  /** Groups the host joins. */
  groups: string[];
}

/** Options of `runShellCommand`: the merged control arguments plus live output. */
export interface RunOptions extends ControlArguments {
  /** Called for every output line as it arrives. */
  onOutput?: (line: OutputLine) => void;
  /**
   * Characters of each stream's start and end the result keeps (default
   * 1 MiB, with a marker for what was dropped); `Infinity` keeps all (facts).
   * `onOutput` sees every line either way.
   */
  outputLimit?: number;
  /** Aborting stops the command. */
  signal?: AbortSignal;
  /**
   * The command is one of skiff's own POSIX scripts that does not rely on
   * `$$` being a process of its own. A connector may then run it directly in
   * a shell it already has (the `@ssh` persistent shell) instead of through
   * a `sh -c` of its own, which saves a process per command on the host.
   * Commands an operator wrote never set it.
   */
  sharedShell?: boolean;
}

/** The result of one command on a host. */
export interface CommandResult {
  /** Exit code in `_success_exit_codes`, not timed out, not lost. */
  success: boolean;
  /** Exit code, or null when the command was killed or the connection was lost. */
  exitCode: number | null;
  /** The signal that ended the command, if known. */
  signal?: string | null;
  /** The command ran past `_timeout` and was killed. */
  timedOut?: boolean;
  /** Why there is no exit code ("connection lost", …), if so. */
  error?: string;
  /** What it printed. */
  output: CommandOutput;
  /** It did not run: an earlier command of its batch failed ({@linkcode BaseConnector.runShellCommands}). */
  skipped?: boolean;
}

/** How {@linkcode BaseConnector.runShellCommands} runs its commands, besides their run options. */
export interface BatchOptions {
  /** A command that fails stops the batch: those after it do not run (their results say `skipped`). */
  stopOnFailure: boolean;
  /** Called when command `index` starts, before any of its output. */
  onStart?: (index: number) => void;
  /** Receives command `index`'s output lines as they arrive. */
  onOutputOf?: (index: number, line: OutputLine) => void;
}

/**
 * The result of a command of a batch that did not run.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { skippedResult } from "./base.ts";
 * deepStrictEqual([skippedResult().success, skippedResult().skipped], [false, true]);
 * ```
 */
export function skippedResult(): CommandResult {
  return {
    success: false,
    exitCode: null,
    skipped: true,
    error: "not run: an earlier command failed",
    output: new CommandOutput([]),
  };
}

/** Local file content to upload: a path, bytes, or a byte stream. */
export type FileSource = string | Uint8Array | ReadableStream<Uint8Array>;
/** Where downloaded content goes: a local path or a byte stream. */
export type FileDestination = string | WritableStream<Uint8Array>;

/** Options for `putFile`. */
export interface PutOptions extends ControlArguments {
  /** Octal mode for the uploaded file, for example `"644"`. */
  mode?: string;
  /** `user`, `user:group` or `:group` for the uploaded file, set before it is renamed into place. */
  owner?: string;
  /** Aborting stops the upload (Ctrl-C); nothing of it may be left on the host. */
  signal?: AbortSignal;
}

/** What every connector instance is given besides its host. */
export interface ConnectorContext {
  /** Runs local processes (the only way a connector may spawn). */
  readonly runProcess: ProcessRunner;
  /**
   * Starts a long-lived local shell, for connectors that keep one per host
   * (`@local`). Absent: they spawn a process per command instead.
   */
  readonly spawnShell?: ShellSpawner;
  /** Asks the operator a question when a terminal is attached; null otherwise. */
  readonly prompt?: (question: string, options: { secret: boolean }) => Promise<string | null>;
  /**
   * Names the temporary file an upload goes to before it is renamed into
   * `path` (default: hidden, beside it, with a random part; see `tempName`
   * in `_shared.ts`). Tests fix it to plant a link where skiff will write.
   */
  readonly tempName?: (path: string) => string;
}

/** The static side of a connector class. */
export interface ConnectorClass {
  /** Creates an instance for one host. */
  new (host: HostInfo, context: ConnectorContext): BaseConnector;
  /** The name used in `@name/arg` targets. */
  readonly connectorName: string;
  /** True when the connector runs commands itself. */
  readonly handlesExecution: boolean;
  /** Documented data keys with defaults. */
  readonly dataMeta: Readonly<Record<string, DataMeta>>;
  /** One line describing the connector. */
  readonly description?: string;
  /** Turns the part after `@name/` into hosts. */
  makeNamesData(arg: string | undefined): Iterable<NameData> | AsyncIterable<NameData>;
}

/**
 * Base class of every connector. Subclasses set the statics, implement
 * `makeNamesData`, `runShellCommand`, `putFile` and `getFile`, and may
 * override `connect`, `disconnect`, `connectWith`, `disconnectWith`,
 * `checkCanRsync` and `rsync`.
 */
export abstract class BaseConnector {
  /** The name used in `@name/arg` targets. */
  static connectorName = "";
  /** True when the connector runs commands itself. */
  static handlesExecution = true;
  /** Documented data keys with defaults. */
  static dataMeta: Readonly<Record<string, DataMeta>> = {};
  /** One line describing the connector. */
  static description = "";

  /** The host this instance serves. */
  readonly host: HostInfo;
  /** Its connector data: the keys in `dataMeta`, defaults applied, types checked. */
  readonly data: Record<string, unknown>;
  /** Process runner and prompt. */
  readonly context: ConnectorContext;

  /** Validates the host's data against this connector's `dataMeta`. */
  constructor(host: HostInfo, context: ConnectorContext) {
    this.host = host;
    this.context = context;
    const cls = this.constructor as unknown as ConnectorClass;
    this.data = hostToConnectorData(cls, host);
  }

  /** Opens the connection. Throws ConnectError on failure. */
  connect(): Promise<void> {
    return Promise.resolve();
  }

  /** Closes the connection. Throws only when work would be lost (a failed `docker_commit`, say). */
  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Connects and runs `first` as the connection's first command. This
   * default connects, then runs it; a connector where that costs a round
   * trip of its own folds it into connecting (`@ssh` starts its persistent
   * shell with it). Throws like `connect()`; the command's failure is in
   * its result.
   */
  async connectWith(first: Command | string, options: RunOptions = {}): Promise<CommandResult> {
    await this.connect();
    return await this.runShellCommand(first, options);
  }

  /**
   * Runs `last` as the connection's last command, then disconnects, also
   * when the command fails. This default runs it, then disconnects; `@ssh`
   * sends it with the end of its persistent shell's input.
   */
  async disconnectWith(last: Command | string, options: RunOptions = {}): Promise<CommandResult> {
    try {
      return await this.runShellCommand(last, options);
    } finally {
      await this.disconnect();
    }
  }

  /** Runs a shell command, wrapped by `makeUnixCommand` according to `options`. */
  abstract runShellCommand(command: Command | string, options?: RunOptions): Promise<CommandResult>;

  /**
   * Runs commands in order, each as `runShellCommand` would with `options`
   * (their `onOutput` is `batch.onOutputOf`); with `batch.stopOnFailure`,
   * one that fails stops those after it. One result per command. This
   * default runs them one after another; a connector with a persistent
   * shell may send them all at once (`@ssh`: one round trip for the batch).
   */
  async runShellCommands(
    commands: readonly (Command | string)[],
    options: RunOptions,
    batch: BatchOptions,
  ): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for (const [index, command] of commands.entries()) {
      const stopped = batch.stopOnFailure && results.some((result) => !result.success);
      if (stopped) {
        results.push(skippedResult());
        continue;
      }
      batch.onStart?.(index);
      results.push(
        await this.runShellCommand(command, {
          ...options,
          onOutput: (line) => batch.onOutputOf?.(index, line),
        }),
      );
    }
    return results;
  }

  /** Uploads content to `remotePath` atomically (temporary file, then rename). */
  abstract putFile(source: FileSource, remotePath: string, options?: PutOptions): Promise<boolean>;

  /** Downloads `remotePath` into a local path or stream. */
  abstract getFile(
    remotePath: string,
    destination: FileDestination,
    options?: ControlArguments,
  ): Promise<boolean>;

  /** Throws when `rsync` cannot be used with this host. */
  checkCanRsync(): Promise<void> {
    return Promise.reject(new Error(`The ${this.connectorName} connector does not support rsync`));
  }

  /** Copies `source` to `destination` with rsync. */
  rsync(
    _source: string,
    _destination: string,
    _flags: readonly string[],
    _options?: RunOptions,
  ): Promise<boolean> {
    return Promise.reject(new Error(`The ${this.connectorName} connector does not support rsync`));
  }

  /** This connector's name. */
  get connectorName(): string {
    return (this.constructor as unknown as ConnectorClass).connectorName;
  }
}

/**
 * Picks a connector's keys out of host data, applies DataMeta defaults,
 * checks types, and rejects unknown `<connector>_*` keys with a hint.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { hostToConnectorData } from "./base.ts";
 * const cls = { connectorName: "demo", dataMeta: { demo_port: { description: "port", type: "integer", default: 1 } } } as const;
 * deepStrictEqual(hostToConnectorData(cls, { name: "h", data: {}, groups: [] }), { demo_port: 1 });
 * ```
 */
export function hostToConnectorData(
  cls: Pick<ConnectorClass, "connectorName" | "dataMeta">,
  host: HostInfo,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const prefix = `${cls.connectorName}_`;
  const known = Object.keys(cls.dataMeta);
  for (const key of Object.keys(host.data)) {
    if (key.startsWith(prefix) && !Object.hasOwn(cls.dataMeta, key)) {
      throw new InputError(
        `Host "${host.name}": unknown ${cls.connectorName} data key "${key}"${hint(key, known)}`,
      );
    }
  }
  for (const [key, meta] of Object.entries(cls.dataMeta)) {
    const value = host.data[key];
    if (value === undefined || (value === null && !meta.nullable)) {
      if (meta.default !== undefined) out[key] = structuredClone(meta.default);
      continue;
    }
    try {
      const checked = checkDataValue(key, value, meta);
      out[key] = meta.secret && typeof checked === "string" ? new SecretValue(checked) : checked;
    } catch (error) {
      if (error instanceof InputError) {
        throw new InputError(`Host "${host.name}": ${error.message}`);
      }
      throw error;
    }
  }
  return out;
}

/** A secret or plain string data value as plain text, for the code that must use it. */
export function revealString(value: unknown): string | undefined {
  if (value instanceof SecretValue) return value.reveal();
  return typeof value === "string" ? value : undefined;
}
