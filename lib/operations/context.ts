/**
 * What an operation receives, and helpers shared by operations: results,
 * check-and-change scripts, mode normalisation.
 *
 * @module
 */

import type { ControlArguments } from "../core/arguments.ts";
import { type Command, raw, sh } from "../core/command.ts";
import type { OperationResult } from "../api/mod.ts";
import { InputError, OperationError } from "../core/errors.ts";
import type { FileDestination, FileSource, PutOptions, RunOptions } from "../../connectors/base.ts";
import type { FactDefinition } from "../facts/fact.ts";
import type { InventoryHost } from "../inventory/inventory.ts";
import type { LocalAccess } from "./local_paths.ts";
import type { RunCommandOptions } from "./run_options.ts";
import type { PredictedState } from "./predicted_state.ts";
import type { LocalFile } from "./local_files.ts";

/** A command's result as an operation sees it: the connector's result and the masked command. */
export interface HostCommandResult {
  /** Exit code in `_success_exit_codes`, not timed out, not lost. */
  success: boolean;
  /** Exit code, or null when killed or lost. */
  exitCode: number | null;
  /** The command ran past `_timeout`. */
  timedOut?: boolean;
  /** Why there is no exit code, if so. */
  error?: string;
  /** What it printed. */
  output: {
    stdout: string;
    stderr: string;
    stdoutLines: string[];
    stderrLines: string[];
  };
  /** The command as shown to people. */
  masked: string;
}

/**
 * Everything an operation may do to a host. The run layer's `HostSession`
 * implements it; operations never see the connector, so masking, retries,
 * events and the fact cache apply to every effect.
 */
export interface OperationHost {
  /** The host's name. */
  readonly name: string;
  /** The inventory host (data and groups, for templates). */
  readonly host: InventoryHost;
  /** Runs a command; commands an operator wrote pass `ownShell` ({@linkcode RunCommandOptions}). */
  run(
    command: Command | string,
    args: ControlArguments,
    options?: RunCommandOptions,
  ): Promise<HostCommandResult>;
  /** Runs commands in order; with `stopOnFailure` the first failure stops the rest (`skipped`). */
  runAll(
    commands: readonly (Command | string)[],
    args: ControlArguments,
    options: RunCommandOptions & { stopOnFailure: boolean },
  ): Promise<(HostCommandResult & { skipped?: boolean })[]>;
  /** Runs a command and throws an OperationError explaining a failure. */
  runChecked(command: Command | string, args: ControlArguments): Promise<HostCommandResult>;
  /** Host, masked command, exit-code meaning and stderr tail of a failed command. */
  describeFailure(result: HostCommandResult): string;
  /** Uploads content atomically; `label` is shown as the command. */
  put(
    source: FileSource,
    remotePath: string,
    options: PutOptions & { label?: string },
  ): Promise<boolean>;
  /** Downloads a remote file; `label` is shown as the command. */
  get(
    remotePath: string,
    destination: FileDestination,
    options: ControlArguments & { label?: string },
  ): Promise<boolean>;
  /** True when rsync can reach this host. */
  canRsync(): Promise<boolean>;
  /** Copies with rsync. */
  rsync(
    source: string,
    destination: string,
    flags: readonly string[],
    options: RunOptions,
  ): Promise<boolean>;
  /** Connects again (after `disconnect`, for `server.reboot`). */
  connect(): Promise<void>;
  /** Drops the connection (for `server.reboot`). */
  disconnect(): Promise<void>;
  /** Shows a non-shell action as a command. */
  emitCommand(label: string): void;
  /** Replaces known secret values with `***`. */
  mask(text: string): string;
  /**
   * Gathers a fact, cached for the run. In a dry run's session it is read
   * through the predicted state (what a deploy sees).
   */
  fact<A extends unknown[], T>(definition: FactDefinition<A, T>, ...args: A): Promise<T>;
  /** Gathers a fact from the host as it is now, cached for the run (never predicted). */
  hostFact<A extends unknown[], T>(definition: FactDefinition<A, T>, ...args: A): Promise<T>;
  /** The host's predicted state, in a dry run's session; absent otherwise. */
  readonly predicted?: PredictedState;
  /** Forgets cached facts whose name starts with `prefix`, but those named in `keep`. */
  invalidateFacts(prefix?: string, keep?: readonly string[]): void;
  /** Runs `attempt` again after a failure or while `_retry_until` says so (`_retries`, `_retry_delay`). */
  retrying<
    T extends { success: boolean; stdout: string; stderr: string; commands: readonly string[] },
  >(
    args: ControlArguments,
    label: string,
    attempt: () => Promise<T>,
  ): Promise<T>;
  /** Validates a call's control arguments and merges them over the deploy's and the host's. */
  operationArguments(
    control: Record<string, unknown>,
    deploy: ControlArguments,
    source: string,
  ): ControlArguments;
}

/** The context of one operation call. */
export interface OpContext {
  /** The host session. */
  readonly session: OperationHost;
  /** Report what would change without changing anything. */
  readonly dryRun: boolean;
  /** Compute diffs of file content (for `--diff` and `--json`). */
  readonly wantDiff: boolean;
  /** The merged control arguments for this call. */
  readonly control: ControlArguments;
  /**
   * Reads a local file named by the deploy (relative to the deploy's
   * directory), when the local-path policy lets the deploy read it.
   */
  readonly readLocal: (path: string) => Promise<Uint8Array>;
  /**
   * Opens a local file named by the deploy for an upload, under the same
   * policy: a small file's content, or a large one's size and streaming
   * sha256 (it is never read whole).
   */
  readonly openLocal: (path: string) => Promise<LocalFile>;
  /**
   * Resolves a local path named by the deploy to its real absolute path, or
   * throws a LocalPathRefusal when the policy does not grant `access` there.
   * Operations touch local files only through this and `readLocal`.
   */
  readonly resolveLocal: (path: string, access: LocalAccess) => string;
  /** The fleet configuration (keys outside `fleet:`), for templates. */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Set ("a chroot", "a container") for an operation of
   * `scope: "files-in-shared-kernel"` on a host that shares another
   * machine's kernel: it does only its file part there.
   */
  readonly sharedKernel?: string;
  /**
   * In a dry run: the host's predicted state, which the operation reads
   * through and states its effect in, and the call it is (what made a value
   * unknown, in messages). Absent in a real run.
   */
  readonly prediction?: Prediction;
}

/** The predicted state an operation of a dry run works on, and its label. */
export interface Prediction {
  /** The host's predicted state (the session's, or a fresh one for a lone prediction). */
  readonly state: PredictedState;
  /** The call, for messages: `files.directory /srv/app`. */
  readonly cause: string;
}

/** Accumulates commands and output into an OperationResult. */
export class ResultBuilder {
  readonly #commands: string[] = [];
  readonly #stdout: string[] = [];
  readonly #stderr: string[] = [];
  readonly #changes: string[] = [];
  #diff: string[] = [];
  #depends = false;

  /** Records a command and its output. */
  record(result: { masked: string; output: { stdout: string; stderr: string } }): void {
    this.#commands.push(result.masked);
    if (result.output.stdout) this.#stdout.push(result.output.stdout);
    if (result.output.stderr) this.#stderr.push(result.output.stderr);
  }

  /** Records a change (or, in a dry run, a change that would be made). */
  change(description: string): void {
    this.#changes.push(description);
  }

  /** Adds to the diff. */
  diff(text: string): void {
    if (text) this.#diff.push(text);
  }

  /** Takes over the commands, output, changes and diff of another operation's result. */
  absorb(result: OperationResult): void {
    this.#commands.push(...result.commands);
    if (result.stdout) this.#stdout.push(result.stdout);
    if (result.stderr) this.#stderr.push(result.stderr);
    if (result.changed) this.#changes.push(result.description);
    if (result.diff) this.#diff.push(result.diff);
    if (result.dependsOnEarlierChange) this.#depends = true;
  }

  /** True when a change was recorded. */
  get changed(): boolean {
    return this.#changes.length > 0;
  }

  /** The finished result. */
  done(noChange: string): OperationResult {
    const result: OperationResult = {
      changed: this.changed,
      success: true,
      description: this.changed ? this.#changes.join(", ") : noChange,
      commands: this.#commands,
      stdout: this.#stdout.join("\n"),
      stderr: this.#stderr.join("\n"),
    };
    if (this.#diff.length > 0) result.diff = this.#diff.join("\n");
    if (this.#depends) result.dependsOnEarlierChange = true;
    return result;
  }
}

/**
 * Normalises an octal mode: `"0755"` and `"755"` are both `"755"`.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { normalizeMode } from "./context.ts";
 * deepStrictEqual(normalizeMode("0644"), "644");
 * ```
 */
export function normalizeMode(
  mode: string | number | undefined,
  what = "mode",
): string | undefined {
  if (mode === undefined) return undefined;
  const text = String(mode);
  if (!/^[0-7]{3,4}$/.test(text)) {
    throw new InputError(`${what}: expected an octal mode such as "644", got "${text}"`);
  }
  return parseInt(text, 8).toString(8).padStart(3, "0");
}

/** The marker prefix check-and-change scripts print for a change. */
export const CHANGE_MARK = "skiff:change:";

/**
 * Runs a check-and-change script and records the changes it reports
 * (`skiff:change:…` lines). Throws with the stderr tail when it fails.
 */
export async function runScript(
  ctx: OpContext,
  script: Command,
  builder: ResultBuilder,
): Promise<string[]> {
  const result = await ctx.session.run(script, ctx.control);
  builder.record(result);
  if (!result.success) throw new OperationError(ctx.session.describeFailure(result));
  const lines = result.output.stdoutLines;
  for (const line of lines) {
    if (line.startsWith(CHANGE_MARK)) builder.change(line.slice(CHANGE_MARK.length));
  }
  return lines.filter((line) => !line.startsWith(CHANGE_MARK));
}

/** Runs a command that must succeed and records it; throws an OperationError explaining a failure. */
export async function runRecorded(
  ctx: OpContext,
  command: Command,
  builder: ResultBuilder,
): Promise<void> {
  builder.record(await ctx.session.runChecked(command, ctx.control));
}

/**
 * Script lines that open `$p` on descriptor 7 without following a link, or
 * fail: a link at `$p` is refused, and after the open the descriptor must
 * be the file now at `$p` (a link swapped in meanwhile is caught). `$f` then
 * names the open file (`/proc/self/fd/7`), so what is done to `$f` is done
 * to that file and never to a link's target. Where there is no /proc, or
 * `$p` cannot be opened for reading, `$f` is `$p` itself, checked only
 * just before. `$p` must be a regular file or a directory.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { openNoFollow } from "./context.ts";
 * deepStrictEqual(openNoFollow().render().startsWith('if [ -L "$p" ]'), true);
 * ```
 */
export function openNoFollow(): Command {
  return sh`if [ -L "$p" ]; then echo "$p is a symbolic link: skiff does not follow links" >&2; exit 1; fi
if { command exec 7<"$p"; } 2>/dev/null && [ -e /proc/self/fd/7 ]; then f=/proc/self/fd/7
  [ "$(stat -L -c %d:%i -- "$f")" = "$(stat -c %d:%i -- "$p")" ] || { echo "$p changed while skiff worked on it" >&2; exit 1; }
else f=$p; fi`;
}

/**
 * `user:group`, `user` or `:group` for chown, or undefined for neither.
 * A name is never empty, never holds `:` or blanks and never starts with
 * `-` (it would be taken for an option).
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { ownerSpec } from "./context.ts";
 * deepStrictEqual(ownerSpec({ group: "adm" }), ":adm");
 * ```
 */
export function ownerSpec(options: { user?: string; group?: string }): string | undefined {
  for (const name of [options.user, options.group]) {
    if (name !== undefined && (typeof name !== "string" || !/^[^-:\s][^:\s]*$/.test(name))) {
      throw new InputError(`user and group: expected a name, got ${JSON.stringify(name)}`);
    }
  }
  const { user, group } = options;
  if (user !== undefined && group !== undefined) return `${user}:${group}`;
  return user ?? (group !== undefined ? `:${group}` : undefined);
}

/**
 * Script lines that bring a path's mode and owner to what is asked (`$p`
 * holds the path). A link at `$p` is refused and the changes go through an
 * open descriptor ({@linkcode openNoFollow}), so a link is never followed.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { attributeScript } from "./context.ts";
 * deepStrictEqual(attributeScript({}, true).render(), ":");
 * ```
 */
export function attributeScript(
  options: { mode?: string; user?: string; group?: string; recursive?: boolean },
  apply: boolean,
): Command {
  const parts: Command[] = [];
  const mode = normalizeMode(options.mode);
  const recursive = raw(options.recursive ? "-R " : "");
  // With -R the tree is walked from inside the directory (`$f/.`); -R walks
  // never follow links below it.
  const target = raw(options.recursive ? `"$f/."` : `"$f"`);
  if (mode !== undefined) {
    parts.push(
      sh`m=$(stat -c %a -- "$p"); if [ "$m" != ${mode} ]; then echo "${
        raw(CHANGE_MARK)
      }mode $m -> "${mode}; ${
        apply ? sh`chmod ${recursive}-- ${mode} ${target} || exit 1` : sh`:`
      }; fi`,
    );
  }
  const wanted = ownerSpec(options);
  if (wanted !== undefined) {
    const format = options.user !== undefined && options.group !== undefined
      ? "%U:%G"
      : options.user !== undefined
      ? "%U"
      : ":%G";
    parts.push(
      sh`o=$(stat -c ${format} -- "$p"); if [ "$o" != ${wanted} ]; then echo "${
        raw(CHANGE_MARK)
      }owner $o -> "${wanted}; ${
        apply ? sh`chown ${recursive}-- ${wanted} ${target} || exit 1` : sh`:`
      }; fi`,
    );
  }
  return parts.length === 0 ? sh`:` : joinLines([openNoFollow(), ...parts]);
}

function joinLines(parts: Command[]): Command {
  return parts.reduce((acc, part) => sh`${acc}\n${part}`);
}

/** Hex sha256 of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when bytes look binary (a NUL in the first 8 KiB, or invalid UTF-8). */
export function isBinary(bytes: Uint8Array): boolean {
  if (bytes.subarray(0, 8192).includes(0)) return true;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}
