/**
 * One SFTP session: requests that fail once the session has ended (ssh2
 * would otherwise never call back a request sent after its channel closed),
 * and file content moved with several requests in flight (as ssh2's
 * `fastPut`/`fastGet` do, but from and to streams): an upload never waits a
 * round trip per chunk, and at most {@linkcode SFTP_IN_FLIGHT} requests of
 * {@linkcode SFTP_REQUEST} bytes are held at once, whatever the file's size.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { OpenMode, SFTPWrapper } from "ssh2";

/** Bytes per read or write request (ssh2 splits it for a server that takes less). */
export const SFTP_REQUEST = 64 * 1024;
/** Requests in flight at once: 2 MiB, the size of an OpenSSH session channel's window. */
export const SFTP_IN_FLIGHT = 32;

/** A node-style callback. */
type Callback<T> = (error: Error | null | undefined, value: T) => void;

/** Counts requests in flight; `room()` waits until another one may start. */
class InFlight {
  #count = 0;
  #failure: unknown;
  #wake?: () => void;
  constructor(readonly limit: number) {}

  /** Starts `request`; its failure is kept and rethrown by `room` or `drained`. */
  start(request: Promise<unknown>): void {
    this.#count++;
    request.then(() => {}, (error) => this.#failure ??= error).finally(() => {
      this.#count--;
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    });
  }

  /** Waits for a free slot; throws the first failure. */
  async room(): Promise<void> {
    while (this.#count >= this.limit && this.#failure === undefined) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Waits for every request; throws the first failure. */
  async drained(): Promise<void> {
    while (this.#count > 0) await new Promise<void>((resolve) => this.#wake = resolve);
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** How {@linkcode SftpSession.readFile} reads. */
export interface SftpReadOptions {
  /** Requests in flight (default {@linkcode SFTP_IN_FLIGHT}). */
  inFlight?: number;
  /**
   * The sink is done with a chunk once its write has resolved (a local
   * file): the read buffers are then reused instead of left to the garbage
   * collector, which keeps memory flat. Never set it for a sink that keeps
   * the chunks it is given.
   */
  reuseBuffers?: boolean;
}

/** An SFTP session of one connection. */
export class SftpSession {
  readonly #sftp: SFTPWrapper;
  readonly #pending = new Set<(error: Error) => void>();
  #ended?: Error;

  /** Wraps `sftp`; its requests fail from the moment it ends. */
  constructor(sftp: SFTPWrapper) {
    this.#sftp = sftp;
    const end = () => {
      this.#ended ??= new Error("The SFTP session ended");
      for (const reject of this.#pending) reject(this.#ended);
      this.#pending.clear();
    };
    sftp.on("end", end);
    sftp.on("close", end);
    sftp.on("error", end);
  }

  /** True once the session has ended (its channel or the connection closed). */
  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /**
   * Sends one request (`send` calls ssh2 with the callback it is given);
   * rejects when the session ends before the answer.
   *
   * @example
   * ```ts ignore
   * await session.call<void>((done) => sftp.chmod("/tmp/x", 0o600, done));
   * ```
   */
  call<T>(send: (done: Callback<T>) => void): Promise<T> {
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      send((error, value) => {
        this.#pending.delete(reject);
        if (error) reject(error);
        else resolve(value);
      });
    });
  }

  /** Sets the mode of `path`. */
  chmod(path: string, mode: number): Promise<void> {
    return this.call<void>((done) => this.#sftp.chmod(path, mode, (error) => done(error)));
  }

  /** Renames `from` to `to`, replacing it (`posix-rename@openssh.com`). */
  rename(from: string, to: string): Promise<void> {
    return this.call<void>((done) =>
      this.#sftp.ext_openssh_rename(from, to, (error) => done(error))
    );
  }

  #open(path: string, flags: OpenMode, mode?: number): Promise<Buffer> {
    return this.call<Buffer>((done) =>
      this.#sftp.open(path, flags, mode === undefined ? {} : { mode }, done)
    );
  }

  async #close(handle: Buffer): Promise<void> {
    if (this.ended) return;
    await this.call<void>((done) => this.#sftp.close(handle, (error) => done(error)))
      .catch(() => {});
  }

  /**
   * Writes `source` to a new file `path` (opened with `wx`: O_EXCL, so a
   * link planted there is never followed) with `mode` (set again on the handle behind the
   * writes, where the server's umask cannot strip it), keeping up to
   * `inFlight` write requests outstanding. Returns the number of bytes
   * written; on a failure (of the source, a write or the session) the
   * handle is closed and the error thrown, and the caller removes the file.
   * An aborted `signal` stops it before its next write.
   */
  async writeFile(
    path: string,
    source: ReadableStream<Uint8Array>,
    options: { mode: number; inFlight?: number; signal?: AbortSignal },
  ): Promise<number> {
    const handle = await this.#open(path, "wx", options.mode);
    const { signal } = options;
    const flight = new InFlight(options.inFlight ?? SFTP_IN_FLIGHT);
    let position = 0;
    let moded: Promise<boolean> | undefined;
    let closing: Promise<void> | undefined;
    try {
      try {
        for await (const chunk of source) {
          for (let at = 0; at < chunk.length; at += SFTP_REQUEST) {
            await flight.room();
            if (signal?.aborted) throw new Error("Interrupted: the upload was stopped");
            const length = Math.min(SFTP_REQUEST, chunk.length - at);
            const piece = Buffer.from(chunk.buffer, chunk.byteOffset + at, length);
            const offset = position;
            position += length;
            flight.start(
              this.call<void>((done) =>
                this.#sftp.write(handle, piece, 0, length, offset, (error) => done(error))
              ),
            );
          }
        }
        // The mode (the server's umask applied at the open) and the close go right behind the
        // last write: the server answers in order, so they cost no round trip of their own.
        moded = this.call<void>((done) =>
          this.#sftp.fchmod(handle, options.mode, (error) => done(error))
        ).then(() => true, () => false);
        closing = this.#close(handle);
      } finally {
        await flight.drained().catch(() => {});
      }
      await flight.drained();
    } finally {
      await (closing ?? this.#close(handle));
    }
    // A server without fchmod: by name (the file is not renamed yet).
    if (moded && !await moded) await this.chmod(path, options.mode);
    return position;
  }

  /**
   * Reads `path` into `sink` in order, keeping up to `inFlight` read
   * requests outstanding (a short read is completed before going on).
   * Returns the number of bytes read; closes the sink at the end and aborts
   * it on a failure.
   */
  async readFile(
    path: string,
    sink: WritableStream<Uint8Array>,
    options: SftpReadOptions = {},
  ): Promise<number> {
    const writer = sink.getWriter();
    let handle: Buffer | undefined;
    const pending: { offset: number; read: Promise<Uint8Array> }[] = [];
    const spare: Buffer[] = [];
    try {
      handle = await this.#open(path, "r");
      const open = handle;
      const read = (offset: number, length: number) => {
        const buffer = spare.pop() ?? Buffer.allocUnsafe(SFTP_REQUEST);
        const promise = this.call<number>((done) =>
          this.#sftp.read(open, buffer, 0, length, offset, (error, bytes) => done(error, bytes))
        ).then((bytes) => new Uint8Array(buffer.buffer, buffer.byteOffset, bytes));
        promise.catch(() => {}); // awaited in order below; never an unhandled rejection
        return promise;
      };
      const limit = options.inFlight ?? SFTP_IN_FLIGHT;
      let next = 0;
      let total = 0;
      let ended = false;
      const fill = () => {
        while (!ended && pending.length < limit) {
          pending.push({ offset: next, read: read(next, SFTP_REQUEST) });
          next += SFTP_REQUEST;
        }
      };
      fill();
      while (!ended && pending.length > 0) {
        const head = pending.shift()!;
        let got = 0;
        let bytes = await head.read;
        // A server may answer with less than asked before the end: ask for the rest.
        while (bytes.length > 0) {
          await writer.write(bytes);
          if (options.reuseBuffers) {
            spare.push(Buffer.from(bytes.buffer, bytes.byteOffset, SFTP_REQUEST));
          }
          got += bytes.length;
          if (got >= SFTP_REQUEST) break;
          bytes = await read(head.offset + got, SFTP_REQUEST - got);
        }
        total += got;
        if (got < SFTP_REQUEST) ended = true;
        else fill();
      }
      await writer.close();
      return total;
    } catch (error) {
      await writer.abort(error).catch(() => {});
      throw error;
    } finally {
      await Promise.allSettled(pending.map((request) => request.read));
      if (handle) await this.#close(handle);
    }
  }
}
