/**
 * A host session: one connected connector, the control-argument layers that
 * apply to it, its fact cache, and the events its commands produce.
 *
 * @module
 */

import type {
  BaseConnector,
  CommandResult,
  FileDestination,
  FileSource,
  PutOptions,
  RunOptions,
} from "../../connectors/base.ts";
import {
  type ControlArguments,
  controlArgumentsFromData,
  mergeControlArguments,
  validateControlArguments,
} from "../core/arguments.ts";
import { type Command, MASK, SecretValue, toCommand } from "../core/command.ts";
import { describeExitCode, errorMessage, OperationError } from "../core/errors.ts";
import { type FactDefinition, factValue } from "../facts/fact.ts";
import type { InventoryHost } from "../inventory/inventory.ts";
import type { OperationHost } from "../operations/context.ts";
import type { RunCommandOptions } from "../operations/run_options.ts";
import { predictFact } from "../operations/predicted_facts.ts";
import { PredictedState } from "../operations/predicted_state.ts";
import type { EventSink } from "./events.ts";
import { type RetryData, retrying } from "./retrying.ts";

export type { RetryData } from "./retrying.ts";

/** Options of a session. */
export interface SessionOptions {
  /** Control arguments from CLI flags. */
  cliArguments?: ControlArguments;
  /** Where events go. */
  emit?: EventSink;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Waits between retries (seconds); tests pass a fast one. */
  sleep?: (seconds: number) => Promise<void>;
  /** A dry run: keep the host's predicted state, and read facts through it. */
  predict?: boolean;
}

/** A command's result with the masked command text that produced it. */
export interface SessionCommandResult extends CommandResult {
  /** The command as shown to people. */
  masked: string;
}

function collectSecrets(value: unknown, out: Set<string>): void {
  if (value instanceof SecretValue) out.add(value.reveal());
  else if (Array.isArray(value)) value.forEach((item) => collectSecrets(item, out));
  else if (typeof value === "object" && value !== null) {
    Object.values(value).forEach((item) => collectSecrets(item, out));
  }
}

/** The first line of a command, shortened to 200 characters, for messages. */
export function shortCommand(command: string): string {
  const first = command.split("\n")[0];
  const short = first.length > 200 ? `${first.slice(0, 200)}…` : first;
  return short === command ? short : `${short} …`;
}

/** One host's connection and state for a run. */
export class HostSession implements OperationHost {
  /** The inventory host. */
  readonly host: InventoryHost;
  readonly #connector: BaseConnector;
  readonly #hostArguments: ControlArguments;
  readonly #cliArguments: ControlArguments;
  readonly #emit: EventSink;
  readonly #signal?: AbortSignal;
  readonly #sleep: (seconds: number) => Promise<void>;
  readonly #facts = new Map<string, Promise<unknown>>();
  readonly #secrets = new Set<string>();
  /** In a dry run: what the operations so far would have changed. */
  readonly predicted?: PredictedState;

  /** Creates a session; validates the host's `_` control arguments. */
  constructor(host: InventoryHost, connector: BaseConnector, options: SessionOptions = {}) {
    this.host = host;
    this.#connector = connector;
    this.#hostArguments = controlArgumentsFromData(
      host.data as Record<string, unknown>,
      `Host "${host.name}"`,
    );
    this.#cliArguments = options.cliArguments ?? {};
    this.#emit = options.emit ?? (() => {});
    this.#signal = options.signal;
    this.#sleep = options.sleep ??
      ((seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)));
    collectSecrets(host.data, this.#secrets);
    collectSecrets(this.#cliArguments, this.#secrets);
    if (options.predict) this.predicted = new PredictedState();
  }

  /** The host's name. */
  get name(): string {
    return this.host.name;
  }

  /** Merges operation-level arguments over the host's and the CLI's. */
  arguments(operation: ControlArguments = {}, deploy: ControlArguments = {}): ControlArguments {
    return mergeControlArguments({
      operation,
      deploy,
      host: this.#hostArguments,
      cli: this.#cliArguments,
    });
  }

  /** Replaces every known secret value in `text` with `***`. */
  mask(text: string): string {
    let out = text;
    for (const value of this.#secrets) if (value.length >= 3) out = out.replaceAll(value, MASK);
    return out;
  }

  /** Remembers a secret value so it is masked in this host's output. */
  addSecret(value: SecretValue | string): void {
    this.#secrets.add(value instanceof SecretValue ? value.reveal() : value);
  }

  /**
   * Runs a command once with the merged control arguments and emits the
   * masked command and output. Retries are the caller's, through
   * {@linkcode HostSession.retrying}. Commands an operator wrote pass
   * `ownShell`: they get a shell (and `$$`) of their own; skiff's own scripts
   * may share the connector's shell. A `label` is shown instead of the
   * command: the command's secret bits are then data it carries (a file's
   * content), not values to mask in every later line.
   */
  async run(
    command: Command | string,
    args: ControlArguments,
    options: RunCommandOptions = {},
  ): Promise<SessionCommandResult> {
    if (this.#signal?.aborted) throw new OperationError("Interrupted");
    const { cmd, masked, emit, runOptions } = this.#prepare(command, args, options);
    emit({ type: "command", host: this.name, command: masked });
    const result = await this.#connector.runShellCommand(cmd, {
      ...runOptions,
      onOutput: ({ stream, line }) =>
        emit({ type: "output", host: this.name, stream, line: this.mask(line) }),
    });
    return { ...result, masked };
  }

  /**
   * Runs commands in order as {@linkcode HostSession.run} runs one; with `stopOnFailure`, one that
   * fails stops the rest (results say `skipped`). The connector may send them at once (`@ssh`).
   */
  async runAll(
    commands: readonly (Command | string)[],
    args: ControlArguments,
    options: RunCommandOptions & { stopOnFailure: boolean },
  ): Promise<SessionCommandResult[]> {
    if (this.#signal?.aborted) throw new OperationError("Interrupted");
    if (commands.length === 0) return [];
    const prepared = commands.map((command) => this.#prepare(command, args, options));
    const { emit, runOptions } = prepared[0];
    const results = await this.#connector.runShellCommands(prepared.map((p) => p.cmd), runOptions, {
      stopOnFailure: options.stopOnFailure,
      onStart: (index) =>
        emit({ type: "command", host: this.name, command: prepared[index].masked }),
      onOutputOf: (_index, { stream, line }) =>
        emit({ type: "output", host: this.name, stream, line: this.mask(line) }),
    });
    return results.map((result, index) => ({ ...result, masked: prepared[index].masked }));
  }

  /** A command as the connector runs it and as people see it; remembers the secrets it reveals. */
  #prepare(command: Command | string, args: ControlArguments, options: RunCommandOptions) {
    const cmd = toCommand(command);
    collectSecrets(args, this.#secrets);
    // A labelled command's secret bits are data it carries (a file's content), never masked later.
    if (options.label === undefined) cmd.secrets.forEach((secret) => this.#secrets.add(secret));
    const masked = this.mask(options.label ?? cmd.renderMasked());
    const emit: EventSink = options.quiet ? () => {} : this.#emit;
    const runOptions: RunOptions = {
      ...args,
      signal: this.#signal,
      sharedShell: !options.ownShell,
      // Bounded: what an operator wrote may print without end. skiff's own
      // scripts read back what they print (base64 contents): all of it.
      outputLimit: options.outputLimit ?? (options.ownShell ? undefined : Infinity),
    };
    return { cmd, masked, emit, runOptions };
  }

  /** Runs `attempt` with pyinfra's retry meaning ({@linkcode retrying}). */
  retrying<T extends RetryData>(
    args: ControlArguments,
    label: string,
    attempt: () => Promise<T>,
  ): Promise<T> {
    return retrying(args, attempt, {
      label,
      signal: this.#signal,
      sleep: this.#sleep,
      log: (message) => this.#emit({ type: "log", host: this.name, message: this.mask(message) }),
      forget: () => this.invalidateFacts(),
    });
  }

  /** Runs a command and throws an OperationError explaining the failure unless it succeeds. */
  async runChecked(
    command: Command | string,
    args: ControlArguments,
  ): Promise<SessionCommandResult> {
    const result = await this.run(command, args);
    if (!result.success) throw new OperationError(this.describeFailure(result));
    return result;
  }

  /** The host, masked command, exit code and meaning, and the stderr tail of a failed command. */
  describeFailure(result: SessionCommandResult): string {
    const raw = result.timedOut ? "timed out" : result.error ?? describeExitCode(result.exitCode);
    const why = this.mask(raw); // Masked: an error can quote what the command printed.
    const tail = this.mask(result.output.stderrLines.slice(-5).join("\n"));
    return `Command failed on ${this.name} with ${why}: ${shortCommand(result.masked)}${
      tail ? `\n${tail}` : ""
    }`;
  }

  /** Connects the host's connector (the host lifecycle calls this once; `server.reboot` again). */
  connect(): Promise<void> {
    return this.#connector.connect();
  }

  /** Disconnects the host's connector. */
  disconnect(): Promise<void> {
    return this.#connector.disconnect();
  }

  /**
   * Uploads content to `remotePath` atomically (the connector stages a
   * temporary file and renames it), under the merged control arguments.
   * `label` is shown as the command (masked).
   */
  async put(
    source: FileSource,
    remotePath: string,
    options: PutOptions & { label?: string },
  ): Promise<boolean> {
    const { label, ...rest } = options;
    if (label !== undefined) this.emitCommand(label);
    return await this.#transfer(
      `Upload to ${remotePath}`,
      () => this.#connector.putFile(source, remotePath, { signal: this.#signal, ...rest }),
    );
  }

  /** Downloads `remotePath` into a local path or stream; `label` is shown as the command. */
  async get(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments & { label?: string },
  ): Promise<boolean> {
    const { label, ...rest } = options;
    if (label !== undefined) this.emitCommand(label);
    return await this.#transfer(
      `Download of ${remotePath}`,
      () => this.#connector.getFile(remotePath, destination, rest),
    );
  }

  /**
   * A failed transfer is an OperationError on every connector (`_ignore_errors`
   * and retries treat it like a failed command); Ctrl-C stays an interruption.
   */
  async #transfer(what: string, transfer: () => Promise<boolean>): Promise<boolean> {
    try {
      return await transfer();
    } catch (error) {
      if (this.#signal?.aborted) throw new OperationError("Interrupted", { cause: error });
      if (error instanceof OperationError) throw error;
      throw new OperationError(`${what} on ${this.name} failed: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  /** True when rsync can reach this host (the connector supports it and the tools are there). */
  canRsync(): Promise<boolean> {
    return this.#connector.checkCanRsync().then(() => true, () => false);
  }

  /** Copies `source` to `destination` with rsync; the masked command is shown first. */
  rsync(
    source: string,
    destination: string,
    flags: readonly string[],
    options: RunOptions,
  ): Promise<boolean> {
    this.emitCommand(`rsync ${flags.join(" ")} ${source} ${destination}`);
    return this.#connector.rsync(source, destination, flags, { signal: this.#signal, ...options });
  }

  /** Reports a transfer or other non-shell action as a command event. */
  emitCommand(label: string): void {
    this.#emit({ type: "command", host: this.name, command: this.mask(label) });
  }

  /**
   * A fact as a deploy reads it: the host's (cached for the run), or in a
   * dry run what the earlier operations would have made of it. A fact the
   * dry run cannot predict is reported once in a log line and answered with
   * the host's current value, and the operations after it are reported as
   * `would change (depends on an earlier change)`.
   */
  async fact<A extends unknown[], T>(definition: FactDefinition<A, T>, ...args: A): Promise<T> {
    const state = this.predicted;
    if (!state) return await this.hostFact(definition, ...args);
    const host = () => this.hostFact(definition, ...args);
    const predicted = await predictFact(state, definition, args, host);
    if ("value" in predicted) return predicted.value;
    if (state.taint === undefined) {
      this.#emit({
        type: "log",
        host: this.name,
        message: this.mask(
          `fact ${definition.name}(${
            args.map((arg) => JSON.stringify(arg)).join(", ")
          }) is unknown in this dry run after ${predicted.unknown}: the host's current value is used, and the operations after it are reported as depending on an earlier change`,
        ),
      });
    }
    state.taintWith(`fact ${definition.name}`);
    return await host();
  }

  /** Gathers a fact from the host as it is now, cached for the run by name and arguments. */
  hostFact<A extends unknown[], T>(definition: FactDefinition<A, T>, ...args: A): Promise<T> {
    return this.#fact(definition, args, false);
  }

  /**
   * Starts gathering facts that take no arguments without waiting for them
   * and without showing their commands: sent with the run's first commands,
   * they cost no round trip of their own, and later asks find them cached.
   * They run without control arguments (no privilege that could prompt for
   * a password): only for facts that are the same for every user, such as
   * the host name, OS and architecture. One that fails is forgotten.
   */
  prefetch(definitions: readonly FactDefinition<[], unknown>[]): void {
    for (const definition of definitions) this.#fact(definition, [], true).catch(() => {});
  }

  #fact<A extends unknown[], T>(definition: FactDefinition<A, T>, args: A, quiet: boolean) {
    const key = `${definition.name}(${JSON.stringify(args)})`;
    const cached = this.#facts.get(key);
    if (cached) return cached as Promise<T>;
    const promise = this.#gather(definition, args, quiet);
    this.#facts.set(key, promise);
    promise.catch(() => this.#facts.delete(key));
    return promise;
  }

  async #gather<A extends unknown[], T>(
    definition: FactDefinition<A, T>,
    args: A,
    quiet: boolean,
  ): Promise<T> {
    const result = await this.run(definition.command(...args), quiet ? {} : this.arguments(), {
      ownShell: definition.ownShell,
      outputLimit: Infinity, // a fact parses everything it printed
      quiet,
    });
    return factValue(definition, args, result, {
      host: this.name,
      failure: () => this.describeFailure(result),
    });
  }

  /** Forgets cached facts whose name starts with `prefix` (all when absent), but those named in `keep`. */
  invalidateFacts(prefix = "", keep: readonly string[] = []): void {
    for (const key of [...this.#facts.keys()]) {
      if (!key.startsWith(prefix)) continue;
      if (keep.some((name) => key.startsWith(`${name}(`))) continue;
      this.#facts.delete(key);
    }
  }

  /** Validates operation control arguments (from a deploy) and merges them. */
  operationArguments(
    control: Record<string, unknown>,
    deploy: ControlArguments,
    source: string,
  ): ControlArguments {
    return this.arguments(validateControlArguments(control, source), deploy);
  }
}
