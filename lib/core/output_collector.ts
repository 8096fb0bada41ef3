/**
 * The one bounded collector of a command's output lines: every connector
 * keeps what a command printed through it, so a command that prints
 * 200 MiB costs at most the first and the last `limit` of each stream.
 * What falls between is dropped and one marker line on that stream says
 * how much. Live output (`onOutput`) is not its business: it sees every line.
 *
 * @module
 */

import { CommandOutput, type OutputLine, type StreamName } from "./output.ts";

/** What an operation result keeps of each stream by default: its first and last MiB. */
export const KEEP_PER_STREAM = 1024 * 1024;

interface Entry {
  seq: number;
  line: OutputLine;
}

class StreamKeep {
  head = 0;
  tail: Entry[] = [];
  tailStart = 0;
  tailSize = 0;
  droppedLines = 0;
  droppedSize = 0;
}

const size = (line: OutputLine) => line.line.length + 1;

/**
 * The marker line put in place of what was dropped.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(
 *   droppedMarker("stdout", { lines: 3, size: 2048 }),
 *   "[skiff: 3 lines (2048 characters) of stdout dropped here; the first and last MiB are kept]",
 * );
 * ```
 */
export function droppedMarker(
  stream: StreamName,
  dropped: { lines: number; size: number },
): string {
  return `[skiff: ${dropped.lines} lines (${dropped.size} characters) of ${stream} dropped here; ` +
    `the first and last MiB are kept]`;
}

/**
 * Collects output lines, keeping the first and the last `limit` characters
 * (line endings counted) of each stream in arrival order.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * const collector = new OutputCollector({ limit: 4 });
 * for (const line of ["a", "b", "c", "d", "e", "f"]) collector.push({ stream: "stdout", line });
 * deepStrictEqual(collector.output().stdoutLines, [
 *   "a", "b",
 *   "[skiff: 2 lines (4 characters) of stdout dropped here; the first and last MiB are kept]",
 *   "e", "f",
 * ]);
 * ```
 */
export class OutputCollector {
  readonly #limit: number;
  readonly #head: Entry[] = [];
  readonly #streams: Record<StreamName, StreamKeep> = {
    stdout: new StreamKeep(),
    stderr: new StreamKeep(),
  };
  #seq = 0;

  /** A collector keeping `limit` characters at each end of each stream (default 1 MiB). */
  constructor(options: { limit?: number } = {}) {
    this.#limit = options.limit ?? KEEP_PER_STREAM;
  }

  /** Takes one line. */
  push(line: OutputLine): void {
    const keep = this.#streams[line.stream];
    const entry = { seq: this.#seq++, line };
    if (keep.head + size(line) <= this.#limit && keep.tail.length === keep.tailStart) {
      keep.head += size(line);
      this.#head.push(entry);
      return;
    }
    keep.tail.push(entry);
    keep.tailSize += size(line);
    while (keep.tailSize > this.#limit && keep.tail.length - keep.tailStart > 1) {
      const gone = keep.tail[keep.tailStart++];
      keep.tailSize -= size(gone.line);
      keep.droppedLines++;
      keep.droppedSize += size(gone.line);
    }
    if (keep.tailStart > 1024 && keep.tailStart * 2 > keep.tail.length) {
      keep.tail = keep.tail.slice(keep.tailStart);
      keep.tailStart = 0;
    }
  }

  /** What was kept, as a {@linkcode CommandOutput}: the heads, a marker per cut stream, the tails. */
  output(): CommandOutput {
    const markers: OutputLine[] = [];
    let tails: Entry[] = [];
    for (const stream of ["stdout", "stderr"] as const) {
      const keep = this.#streams[stream];
      if (keep.droppedLines > 0) {
        markers.push({
          stream,
          line: droppedMarker(stream, { lines: keep.droppedLines, size: keep.droppedSize }),
        });
      }
      tails = tails.concat(keep.tail.slice(keep.tailStart)); // no spread: 10⁵ lines
    }
    tails.sort((a, b) => a.seq - b.seq);
    return new CommandOutput([
      ...this.#head.map((entry) => entry.line),
      ...markers,
      ...tails.map((entry) => entry.line),
    ]);
  }
}
