/**
 * How many channels one SSH connection keeps open at once
 * (`ssh_max_channels`), and what happens when the server refuses one anyway.
 *
 * @module
 */

import type { Client } from "ssh2";
import { errorMessage, InputError } from "../../lib/core/errors.ts";

/** `ssh_max_channels` when the host data does not say: OpenSSH's default MaxSessions. */
export const DEFAULT_CHANNELS = 10;
/** The fewest it allows: the persistent shell, the SFTP session and one command. */
const LEAST_CHANNELS = 3;
/** Timed waits for a refused open, with no command of ours open, before giving up. */
const REFUSED_WAITS = 5;

/** A channel as {@linkcode ChannelLimit.opening} needs it: something that closes. */
export interface Closing {
  /** Registers `listener` for the channel's close. */
  on(event: "close", listener: () => void): unknown;
}

/** Starts opening a channel on `client`; calls `opened` with the error or the channel. */
export type OpenChannel<T> = (
  client: Client,
  opened: (error: Error | undefined, channel: T) => void,
) => void;

/** A counting semaphore. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  async take(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/**
 * At most `max` channels at once on one connection: `max - 1` slots for the
 * persistent shell and commands ({@linkcode ChannelLimit.take}), one kept
 * for the SFTP session, which holds no slot. sshd's MaxSessions is not
 * advertised, so `max` is the host's `ssh_max_channels` (default 10, as
 * OpenSSH's). An open the server refuses ("open failed": its MaxSessions is
 * lower, or it has not yet freed the session of a channel that just closed)
 * waits for one of our commands to close and tries again
 * ({@linkcode ChannelLimit.opening}). `bench/channel_drop_repro.ts` measured
 * the second case from 7 channels churning against MaxSessions 10.
 *
 * @example
 * ```ts
 * import { strictEqual, throws } from "node:assert/strict";
 * import { ChannelLimit } from "./channel_limit.ts";
 * throws(() => new ChannelLimit(2), /ssh_max_channels must be an integer of at least 3/);
 * const limit = new ChannelLimit(3);
 * const first = await limit.take();
 * await limit.take();
 * let third = false;
 * const waiting = limit.take().then(() => third = true);
 * strictEqual(third, false);
 * first();
 * await waiting;
 * strictEqual(third, true);
 * ```
 */
export class ChannelLimit {
  readonly #slots: Slots;
  readonly #max: number;
  /** Channels open now (the SFTP session's included), and how many of them are commands. */
  #open = 0;
  #commands = 0;
  #closeWaiters: (() => void)[] = [];

  /** A limit of `max` (host data, so checked here: an InputError names the key). */
  constructor(max: unknown = DEFAULT_CHANNELS) {
    if (!Number.isInteger(max) || (max as number) < LEAST_CHANNELS) {
      throw new InputError(
        `ssh_max_channels must be an integer of at least ${LEAST_CHANNELS} (the shell, SFTP and a command), not ${
          JSON.stringify(max)
        }`,
      );
    }
    this.#max = max as number;
    this.#slots = new Slots(this.#max - 1);
  }

  /** Waits for a free slot; call the returned function to release it. */
  take(): Promise<() => void> {
    return this.#slots.take();
  }

  /**
   * Opens a channel through `start` on `client()` (which throws when the
   * connection is gone) and counts it open until it closes; `lasting` says it
   * stays open for the connection (the shell, SFTP). A refused open ("open
   * failed") waits, while a command of ours is open, for one of ours to
   * close and tries again; with none open it tries again after 50, 100 …
   * 250 ms (sshd frees a closed session a moment late) and then fails,
   * saying so. Another channel error is tried again up to 5 times.
   */
  async opening<T extends Closing>(
    client: () => Client,
    start: OpenChannel<T>,
    options: { lasting?: boolean } = {},
  ): Promise<T> {
    let stale = 0;
    for (let attempt = 0;; attempt++) {
      const on = client();
      try {
        const channel = await new Promise<T>((resolve, reject) =>
          start(on, (error, channel) => error ? reject(error) : resolve(channel))
        );
        this.#count(channel, options.lasting ? 0 : 1);
        return channel;
      } catch (error) {
        const message = errorMessage(error);
        if (/open failed/i.test(message)) {
          if (this.#commands > 0) await this.#nextClose();
          else if (++stale < REFUSED_WAITS) await this.#nextClose(50 * stale);
          else {
            throw new Error(
              `The server refused a channel with no command of ours open, only ${this.#open} lasting (the shell, SFTP): its MaxSessions is below ssh_max_channels ${this.#max}: ${message}`,
              { cause: error },
            );
          }
          continue;
        }
        if (attempt < 5 && /channel/i.test(message)) {
          await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
          continue;
        }
        throw error;
      }
    }
  }

  #count(channel: Closing, command: number): void {
    this.#open++;
    this.#commands += command;
    channel.on("close", () => {
      this.#open--;
      this.#commands -= command;
      for (const wake of this.#closeWaiters.splice(0)) wake();
    });
  }

  /** Resolves when one of our channels closes, or after `ms` when given. */
  #nextClose(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(() => {
        this.#closeWaiters = this.#closeWaiters.filter((waiter) => waiter !== wake);
        resolve();
      }, ms);
      this.#closeWaiters.push(wake);
    });
  }
}
