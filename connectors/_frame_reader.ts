/**
 * The reading of one command's frame (`_shell_frame.ts`) from the lines of
 * a persistent shell's stdout, and why a command that exited still failed.
 *
 * @module
 */

import { CommandOutput, type OutputLine, type StreamName } from "../lib/core/output.ts";
import { OutputCollector } from "../lib/core/output_collector.ts";
import { type CommandResult, skippedResult } from "./base.ts";

/** How long, by default, a command's pipes may stay open after it exited (ms). */
export const HOLD_LIMIT = 2000;

/** The shell ended (or its connection was lost) before a command finished. */
export class ShellLostError extends Error {
  /** Creates the error. */
  constructor(message = "connection lost: the persistent shell ended") {
    super(message);
    this.name = "ShellLostError";
  }
}

/** A command's abort signal fired: the shell and what it ran are being killed. */
export class ShellInterruptedError extends ShellLostError {
  /** What the command printed before it was interrupted. */
  readonly output: CommandOutput;
  /** Creates the error. */
  constructor(output = new CommandOutput([])) {
    super("interrupted");
    this.name = "ShellInterruptedError";
    this.output = output;
  }
}

/** What one command in the persistent shell came to. */
export interface ShellResult {
  /** Exit status of the command's subshell; -1 when it was skipped, null when its frame ended without one. */
  exitCode: number | null;
  /** What it printed while it ran. */
  output: CommandOutput;
  /** It did not run: an earlier command of its gate failed. */
  skipped?: boolean;
  /**
   * Lines printed after it exited, by processes it left behind (never part
   * of `output`): how many, and the first few.
   */
  stray: { count: number; first: OutputLine[] };
  /** Its pipes were still held open when the shell stopped waiting, and were cut. */
  heldOpen: boolean;
}

/** How many stray lines a result keeps. */
const STRAY_KEPT = 3;

/**
 * Reads one command's frame from the shell's output lines.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { Frame } from "./_frame_reader.ts";
 * const frame = new Frame("M");
 * const ends = ["a", "M|e", "", "M:3", "M|", "M|M", "late", "", "M.0"].map((l) => frame.stdout(l));
 * const result = frame.result();
 * deepStrictEqual([ends.at(-1), result.exitCode, result.output.stdout, result.output.stderr], [true, 3, "a", "e"]);
 * deepStrictEqual(result.stray, { count: 1, first: [{ stream: "stdout", line: "late" }] });
 * ```
 */
export class Frame {
  readonly #marker: string;
  readonly #lines: OutputCollector;
  readonly #onOutput?: (line: OutputLine) => void;
  #exitCode: number | null = null;
  #skipped = false;
  #ended: Record<StreamName, boolean> = { stdout: false, stderr: false };
  #heldEmpty: Record<StreamName, boolean> = { stdout: false, stderr: false };
  /** The start of a stdout line a tagged stderr line interrupted. */
  #fragment = "";
  #stray: { count: number; first: OutputLine[] } = { count: 0, first: [] };
  #catStatus: number | undefined;

  /** A frame for `marker`; `onOutput` sees every line of the command as it arrives. */
  constructor(
    marker: string,
    options: { outputLimit?: number; onOutput?: (line: OutputLine) => void } = {},
  ) {
    this.#marker = marker;
    this.#lines = new OutputCollector({ limit: options.outputLimit });
    this.#onOutput = options.onOutput;
  }

  /** The marker of the frame. */
  get marker(): string {
    return this.#marker;
  }

  /** True once the command has exited and its last stderr line has come through. */
  get exited(): boolean {
    return this.#ended.stdout && this.#ended.stderr;
  }

  /** How many lines came after the command exited. */
  get strayCount(): number {
    return this.#stray.count;
  }

  /** Takes a line of the shell's stdout; returns true when it closed the frame. */
  stdout(line: string): boolean {
    const marker = this.#marker;
    if (line.startsWith(`${marker}.`) && /^\d+$/.test(line.slice(marker.length + 1))) {
      this.#catStatus = Number(line.slice(marker.length + 1));
      return true;
    }
    const tag = line.indexOf(`${marker}|`);
    if (tag >= 0) {
      // The stderr line came in after part of a stdout line: keep that part.
      this.#fragment += line.slice(0, tag);
      this.#stderrLine(line.slice(tag + marker.length + 1));
      return false;
    }
    const whole = this.#fragment + line;
    this.#fragment = "";
    const status = whole.startsWith(`${marker}:`) ? whole.slice(marker.length + 1) : "";
    if (!this.#ended.stdout && (/^\d+$/.test(status) || status === "-")) {
      this.#skipped = status === "-";
      this.#exitCode = this.#skipped ? -1 : Number(status);
      this.#ended.stdout = true;
      this.#ended.stderr ||= this.#skipped;
      this.#heldEmpty.stdout = false;
      return false;
    }
    this.#take("stdout", whole);
    return false;
  }

  /** Takes a line of the shell's own stderr (the shell's complaints about this command). */
  stderr(line: string): void {
    if (this.exited) this.#strayLine({ stream: "stderr", line });
    else this.#emit({ stream: "stderr", line });
  }

  #stderrLine(line: string): void {
    if (line === this.#marker && !this.#ended.stderr) {
      this.#ended.stderr = true;
      this.#heldEmpty.stderr = false;
    } else this.#take("stderr", line);
  }

  /**
   * The frame prints a newline before each marker, so that a last line
   * without one still ends: hold an empty line back until the next line
   * shows it was not that newline.
   */
  #take(stream: StreamName, line: string): void {
    if (this.#heldEmpty[stream]) this.#route({ stream, line: "" });
    this.#heldEmpty[stream] = line === "";
    if (line !== "") this.#route({ stream, line });
  }

  #route(line: OutputLine): void {
    if (this.#ended[line.stream]) this.#strayLine(line);
    else this.#emit(line);
  }

  #emit(line: OutputLine): void {
    this.#lines.push(line);
    this.#onOutput?.(line);
  }

  #strayLine(line: OutputLine): void {
    this.#stray.count++;
    if (this.#stray.first.length < STRAY_KEPT) this.#stray.first.push(line);
  }

  /** What the command printed so far. */
  output(): CommandOutput {
    return this.#lines.output();
  }

  /** The result; `cut` when skiff had the command's `cat` killed (its pipes were held open). */
  result(cut = false): ShellResult {
    const result: ShellResult = {
      exitCode: this.#exitCode,
      output: this.#lines.output(),
      stray: { count: this.#stray.count, first: [...this.#stray.first] },
      heldOpen: cut && this.#catStatus !== 0,
    };
    if (this.#skipped) result.skipped = true;
    return result;
  }
}

const REDIRECT = "redirect the output of what it starts in the background: `cmd >/dev/null 2>&1 &`";

/**
 * Why a command that exited still failed: output after it ended, pipes it
 * left held open, or a frame that ended without an exit status.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { CommandOutput } from "../lib/core/output.ts";
 * import { leftBehind } from "./_frame_reader.ts";
 * const stray = { count: 2, first: [{ stream: "stdout" as const, line: "late" }] };
 * strictEqual(
 *   leftBehind({ exitCode: 0, output: new CommandOutput([]), stray, heldOpen: false }),
 *   'output after it ended, from a process it left running (2 lines, the first on stdout: "late"); ' +
 *     "redirect the output of what it starts in the background: `cmd >/dev/null 2>&1 &`",
 * );
 * ```
 */
export function leftBehind(result: ShellResult, holdLimit = HOLD_LIMIT): string | undefined {
  const { stray, heldOpen } = result;
  const first = stray.first[0];
  const lines = stray.count === 1 ? "1 line" : `${stray.count} lines`;
  const printed = first
    ? `${lines}, the first on ${first.stream}: "${first.line.slice(0, 200)}"`
    : "";
  if (heldOpen && !printed) {
    return `output still open ${holdLimit / 1000} s after it ended, held by a process it left ` +
      `running (skiff cut it off); ${REDIRECT}`;
  }
  if (printed) {
    return `output after it ended, from a process it left running (${printed}); ${REDIRECT}`;
  }
  if (result.exitCode === null) {
    return "no exit status: its frame in the persistent shell ended first";
  }
  return undefined;
}

/**
 * A command result from a command running in a persistent shell: an
 * interrupted one comes back as `interrupted`; `undefined` means the shell
 * was lost under the command. Output printed after the command exited, or
 * pipes it left held open, make it fail: that output is never part of its result.
 */
export async function shellCommandResult(
  running: Promise<ShellResult>,
  codes: readonly number[],
  holdLimit = HOLD_LIMIT,
): Promise<CommandResult | undefined> {
  try {
    const out = await running;
    if (out.skipped) return skippedResult();
    const error = leftBehind(out, holdLimit);
    return {
      success: error === undefined && out.exitCode !== null && codes.includes(out.exitCode),
      exitCode: out.exitCode,
      ...(error !== undefined ? { error } : {}),
      output: out.output,
    };
  } catch (error) {
    if (error instanceof ShellInterruptedError) {
      return { success: false, exitCode: null, error: "interrupted", output: error.output };
    }
    if (error instanceof ShellLostError) return undefined;
    throw error;
  }
}
