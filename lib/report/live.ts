/**
 * The live block at the bottom of a terminal: a progress line for the whole
 * run above one status line per running host, capped to the terminal height
 * (the rest summarised as `+N more running`). Printed lines go above it.
 *
 * @module
 */

import type { Painter } from "./paint.ts";

/** Where the live block draws and how it measures. */
export interface LiveOptions {
  write: (text: string) => void;
  paint: Painter;
  /** Rows of the terminal (the block uses at most this many minus one). */
  height: () => number;
  /** Milliseconds since some fixed point (the run's clock). */
  now: () => number;
}

/** `mm:ss` of a duration in milliseconds. */
function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/**
 * The live block. Call `print()` for a line that stays, `status()` to change
 * a host's line, and the counters as the run goes.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { LiveView } from "./live.ts";
 * const plain = (text: string) => text;
 * const painter = { prefix: (h: string) => `[${h}] `, error: plain, changed: plain, ok: plain, dim: plain, bold: plain };
 * let screen = "";
 * let clock = 0;
 * const live = new LiveView({ write: (t) => screen += t, paint: painter, height: () => 24, now: () => clock });
 * live.start(["a", "b"]);
 * clock = 7000;
 * live.status("a", "files.put /etc/motd");
 * strictEqual(screen.split("\x1b[J").at(-1), "hosts 0/2 done · 1 running · 0 failed · ops 0 · 00:07\n[a] files.put /etc/motd\n");
 * ```
 */
export class LiveView {
  readonly #options: LiveOptions;
  readonly #status = new Map<string, string>();
  #hosts = 0;
  #done = 0;
  #failed = 0;
  #ops = 0;
  #started = 0;
  #drawn = 0;

  constructor(options: LiveOptions) {
    this.#options = options;
  }

  /** The run starts with these hosts. */
  start(hosts: readonly string[]): void {
    this.#hosts = hosts.length;
    this.#started = this.#options.now();
  }

  /** Writes `text` (whole lines) above the block. */
  print(text: string): void {
    this.#clear();
    this.#options.write(text);
    this.#draw();
  }

  /** Sets a running host's status line; `undefined` removes it. */
  status(host: string, text: string | undefined): void {
    this.#clear();
    if (text === undefined) this.#status.delete(host);
    else this.#status.set(host, text);
    this.#draw();
  }

  /** One operation finished. */
  opDone(): void {
    this.#ops++;
  }

  /** One host finished; its line goes. */
  hostDone(host: string, ok: boolean): void {
    this.#done++;
    if (!ok) this.#failed++;
    this.status(host, undefined);
  }

  /** Removes the block for good (before the summary). */
  end(): void {
    this.#clear();
    this.#status.clear();
  }

  /** The progress line. */
  progress(): string {
    return [
      `hosts ${this.#done}/${this.#hosts} done`,
      `${this.#status.size} running`,
      `${this.#failed} failed`,
      `ops ${this.#ops}`,
      clock(this.#options.now() - this.#started),
    ].join(" · ");
  }

  #clear(): void {
    if (this.#drawn === 0) return;
    this.#options.write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #draw(): void {
    if (this.#hosts === 0) return;
    const { paint } = this.#options;
    const room = Math.max(2, this.#options.height() - 1);
    const entries = [...this.#status.entries()];
    const fits = entries.length + 1 <= room ? entries.length : room - 2;
    const lines = [
      paint.bold(this.progress()),
      ...entries.slice(0, fits).map(([host, text]) => `${paint.prefix(host)}${paint.dim(text)}`),
    ];
    if (fits < entries.length) lines.push(paint.dim(`+${entries.length - fits} more running`));
    this.#options.write(lines.join("\n") + "\n");
    this.#drawn = lines.length;
  }
}
