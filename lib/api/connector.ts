/**
 * The types a connector module sees: the kit skiff hands to a module whose
 * default export is a function (`export default (kit) => class … extends
 * kit.BaseConnector`), the base class and what its methods take and return.
 * `skiff types` writes these with the deploy API, so a connector written next
 * to the binary type-checks with `import type { ConnectorKit } from "./skiff.d.ts"`.
 * (The classes that implement them are in connectors/ and lib/core.)
 *
 * ```ts
 * import type { ConnectorKit } from "./connector.ts";
 * const make = (kit: ConnectorKit) =>
 *   class Mine extends kit.BaseConnector {
 *     static override connectorName = "mine";
 *     static *makeNamesData(arg: string | undefined) {
 *       yield { name: `@mine/${arg}`, data: {}, groups: ["@mine"] };
 *     }
 *     override runShellCommand() {
 *       return Promise.resolve({ success: true, exitCode: 0, output: new kit.CommandOutput() });
 *     }
 *     override putFile() {
 *       return Promise.resolve(true);
 *     }
 *     override getFile() {
 *       return Promise.resolve(true);
 *     }
 *   };
 * typeof make; // "function"
 * ```
 *
 * @module
 */

import type { ControlArguments } from "./control.ts";
import type { Command, Interpolation, RawValue, SecretValue, StdinValue } from "./values.ts";

/** The value types a data key may declare. */
export type DataType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "string[]"
  | "integer[]"
  | "string-map"
  | "any";

/** Documentation, default and type of one data key of a connector. */
export interface DataMeta {
  /** One line saying what the key does (`skiff connectors` prints it). */
  readonly description: string;
  /** The value used when the key is absent. */
  readonly default?: unknown;
  /** The expected type; values of another type are an input error. */
  readonly type?: DataType;
  /** Allowed values, for string keys with a fixed set. */
  readonly choices?: readonly string[];
  /** The value is masked in every output (the connector gets a SecretValue). */
  readonly secret?: boolean;
  /** `null` is an accepted value. */
  readonly nullable?: boolean;
}

/** One host as the inventory knows it. */
export interface HostInfo {
  /** The host's name, for example `@mine/web1`. */
  readonly name: string;
  /** The host's merged data (connector keys, control arguments, anything else). */
  readonly data: Readonly<Record<string, unknown>>;
  /** The groups the host belongs to. */
  readonly groups: readonly string[];
}

/** What `makeNamesData` yields: one host to create. */
export interface NameData {
  /** Inventory name of the host, for example `@mine/web1`. */
  name: string;
  /** Data the connector derives from the name (lower precedence than fleet data). */
  data: Record<string, unknown>;
  /** Groups the host joins. */
  groups: string[];
}

/** One line of a command's output. */
export interface OutputLine {
  /** The stream it came from. */
  readonly stream: "stdout" | "stderr";
  /** The text, without its line ending. */
  readonly line: string;
}

/** The output of a command (`new kit.CommandOutput(lines)`). */
export interface CommandOutput {
  /** Every line in arrival order. */
  readonly lines: readonly OutputLine[];
  /** Lines written to stdout. */
  readonly stdoutLines: string[];
  /** Lines written to stderr. */
  readonly stderrLines: string[];
  /** All lines, both streams, in arrival order. */
  readonly outputLines: string[];
  /** Stdout lines joined with newlines. */
  readonly stdout: string;
  /** Stderr lines joined with newlines. */
  readonly stderr: string;
  /** Both streams joined with newlines, in arrival order. */
  readonly output: string;
}

/** A command as a connector runs it: secrets go to the environment, never argv. */
export interface ExecForm {
  /** The command line, with each secret replaced by a reference to an environment variable. */
  readonly text: string;
  /** The environment variables holding the secrets; pass them as the process's env. */
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** A command value a connector can execute. */
export interface ExecCommand extends Command {
  /** The form to execute: text plus the secrets' environment. */
  renderForExec(): ExecForm;
}

/** Options of `runShellCommand`: the merged control arguments plus live output. */
export interface RunOptions extends ControlArguments {
  /** Call it for every output line as it arrives. */
  onOutput?: (line: OutputLine) => void;
  /** Characters of each stream's start and end the result keeps (default 1 MiB; `Infinity`: all). */
  outputLimit?: number;
  /** Aborting must stop the command. */
  signal?: AbortSignal;
  /** One of skiff's own scripts that may run in a shell the connector already has. */
  sharedShell?: boolean;
}

/** The result of one command on a host. */
export interface CommandResult {
  /** Exit code in `_success_exit_codes` (default [0]), not timed out, not lost. */
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
  /** It did not run: an earlier command of its batch failed (`runShellCommands`). */
  skipped?: boolean;
}

/** How `runShellCommands` runs its commands, besides their run options. */
export interface BatchOptions {
  /** A command that fails stops the batch: those after it do not run (their results say `skipped`). */
  stopOnFailure: boolean;
  /** Call it when command `index` starts, before any of its output. */
  onStart?: (index: number) => void;
  /** Call it with command `index`'s output lines as they arrive. */
  onOutputOf?: (index: number, line: OutputLine) => void;
}

/** Local file content to upload: a path, bytes, or a byte stream. */
export type FileSource = string | Uint8Array | ReadableStream<Uint8Array>;
/** Where downloaded content goes: a local path or a byte stream. */
export type FileDestination = string | WritableStream<Uint8Array>;

/** Options of `putFile`. */
export interface PutOptions extends ControlArguments {
  /** Octal mode for the uploaded file, for example `"644"`. */
  mode?: string;
  /** `user`, `user:group` or `:group` for the uploaded file, set before it is renamed into place. */
  owner?: string;
  /** Aborting stops the upload (Ctrl-C); nothing of it may be left on the host. */
  signal?: AbortSignal;
}

/** The control arguments a connector handles itself while running a command. */
export type ConnectorArguments = Pick<
  ControlArguments,
  "_timeout" | "_success_exit_codes" | "_stdin" | "_get_pty"
>;
/** The control arguments `makeUnixCommand` turns into the command line. */
export type CommandArguments = Omit<ControlArguments, keyof ConnectorArguments>;

/** What `kit.extractControlArguments` returns. */
export interface ExtractedArguments {
  /** Handled by the connector: `_timeout`, `_success_exit_codes`, `_stdin`, `_get_pty`. */
  connector: ConnectorArguments;
  /** Turned into the command line by `makeUnixCommand`. */
  command: CommandArguments;
}

/** What to run locally and how (`kit.runProcess`). */
export interface ProcessOptions {
  /** Standard input: text, bytes, lines, or a stream of bytes. Absent = no input (EOF). */
  stdin?: StdinValue | ReadableStream<Uint8Array>;
  /** Extra environment variables (added to the inherited environment). */
  env?: Readonly<Record<string, string>>;
  /** Working directory. */
  cwd?: string;
  /** Kill the whole process group after this many seconds. */
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

/** How a local process ended. */
export interface ProcessResult {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: string | null;
  /** True when the timeout killed it (and its process group). */
  timedOut: boolean;
  /** True when the abort signal killed it. */
  aborted: boolean;
  /** Its output lines. */
  output: CommandOutput;
}

/** What every connector instance is given besides its host. */
export interface ConnectorContext {
  /** Runs local processes; the same runner as `kit.runProcess`. */
  runProcess(argv: readonly string[], options?: ProcessOptions): Promise<ProcessResult>;
  /** Asks the operator a question when a terminal is attached; null otherwise. */
  readonly prompt?: (question: string, options: { secret: boolean }) => Promise<string | null>;
}

/**
 * Base class of every connector (`kit.BaseConnector`). Subclasses set the
 * statics, add a static `makeNamesData`, implement `runShellCommand`,
 * `putFile` and `getFile`, and may override `connect`, `disconnect`,
 * `connectWith`, `disconnectWith`, `checkCanRsync` and `rsync`.
 */
export declare abstract class BaseConnector {
  /** The name used in `@name/arg` targets. */
  static connectorName: string;
  /** True when the connector runs commands itself. */
  static handlesExecution: boolean;
  /** Documented data keys with defaults; unknown `<name>_*` keys are refused. */
  static dataMeta: Readonly<Record<string, DataMeta>>;
  /** One line describing the connector. */
  static description: string;
  /** The host this instance serves. */
  readonly host: HostInfo;
  /** Its connector data: the keys in `dataMeta`, defaults applied, types checked. */
  readonly data: Record<string, unknown>;
  /** Process runner and prompt. */
  readonly context: ConnectorContext;
  /** Validates the host's data against `dataMeta` (an input error names the host and key). */
  constructor(host: HostInfo, context: ConnectorContext);
  /** Opens the connection. Throw `kit.ConnectError` on failure. */
  connect(): Promise<void>;
  /** Closes the connection. */
  disconnect(): Promise<void>;
  /**
   * Connects and runs `first` as the connection's first command (skiff's
   * run lock). The default connects, then runs it; override it when
   * connecting can carry the command without a round trip of its own.
   */
  connectWith(first: Command | string, options?: RunOptions): Promise<CommandResult>;
  /**
   * Runs `last` as the connection's last command, then disconnects, also
   * when it fails. The default runs it, then disconnects.
   */
  disconnectWith(last: Command | string, options?: RunOptions): Promise<CommandResult>;
  /** Runs a shell command, wrapped by `makeUnixCommand` according to `options`. */
  abstract runShellCommand(command: Command | string, options?: RunOptions): Promise<CommandResult>;
  /**
   * Runs commands in order with the same options; with `batch.stopOnFailure` one
   * that fails stops the rest. The default runs them one at a time through
   * `runShellCommand`; override it only to send them at once.
   */
  runShellCommands(
    commands: readonly (Command | string)[],
    options: RunOptions,
    batch: BatchOptions,
  ): Promise<CommandResult[]>;
  /** Uploads content to `remotePath` atomically (temporary file, then rename). */
  abstract putFile(source: FileSource, remotePath: string, options?: PutOptions): Promise<boolean>;
  /** Downloads `remotePath` into a local path or stream. */
  abstract getFile(
    remotePath: string,
    destination: FileDestination,
    options?: ControlArguments,
  ): Promise<boolean>;
  /** Throws when `rsync` cannot be used with this host (the default). */
  checkCanRsync(): Promise<void>;
  /** Copies `source` to `destination` with rsync. */
  rsync(
    source: string,
    destination: string,
    flags: readonly string[],
    options?: RunOptions,
  ): Promise<boolean>;
  /** This connector's name. */
  get connectorName(): string;
}

/** A connection to a host could not be made (`kit.ConnectError`). */
export declare class ConnectError extends Error {
  /** True when trying again cannot help (authentication, host key). */
  readonly permanent: boolean;
  /** Creates a connect error. */
  constructor(message: string, options?: ErrorOptions & { permanent?: boolean });
}

/** The static side of a connector class. */
export interface ConnectorClass {
  /** Creates an instance for one host. */
  new (host: HostInfo, context: ConnectorContext): BaseConnector;
  /** The name used in `@name/arg` targets. */
  readonly connectorName: string;
  /** Documented data keys with defaults. */
  readonly dataMeta: Readonly<Record<string, DataMeta>>;
  /** Turns the part after `@name/` into hosts. */
  makeNamesData(arg: string | undefined): Iterable<NameData> | AsyncIterable<NameData>;
}

/** `kit.Command`: builds command values. */
export interface CommandStatics {
  /** A command of literal text, not quoted. */
  of(text: string): ExecCommand;
  /** Joins commands and literal strings with `separator` (default a space). */
  join(parts: readonly (Command | string)[], separator?: string): ExecCommand;
}

/** What skiff hands to a connector module's default-exported function. */
export interface ConnectorKit {
  /** The base class to extend. */
  readonly BaseConnector: typeof BaseConnector;
  /** Throw it from `connect()` when the host cannot be reached. */
  readonly ConnectError: typeof ConnectError;
  /** Splits run options into what the connector handles and what shapes the command line. */
  extractControlArguments(args: ControlArguments): ExtractedArguments;
  /** Wraps a command with `_sudo`, `_env`, `_chdir` … as one quoted POSIX command line. */
  makeUnixCommand(command: Command | string, args?: CommandArguments): ExecCommand;
  /** The quoting tagged template: every value is single-quoted, arrays give one argument each. */
  sh(strings: TemplateStringsArray, ...values: Interpolation[]): ExecCommand;
  /** Text interpolated into `sh` without quoting. */
  raw(text: string): RawValue;
  /** A value masked as `***` wherever it is shown. */
  secret(value: string): SecretValue;
  /** Builds command values. */
  readonly Command: CommandStatics;
  /** The output class `runShellCommand` returns. */
  readonly CommandOutput: new (lines?: readonly OutputLine[]) => CommandOutput;
  /** Runs a local process in its own process group; `timeout` kills the whole group. */
  runProcess(argv: readonly string[], options?: ProcessOptions): Promise<ProcessResult>;
}

/** The kit form of a connector module: `export default (kit) => class … {}`. */
export type ConnectorModuleFunction = (kit: ConnectorKit) => ConnectorClass;
