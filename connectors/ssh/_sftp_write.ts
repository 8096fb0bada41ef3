/**
 * Writing a new file over SFTP in as few round trips as the protocol
 * allows: one for the open (the handle comes back), then every write, the
 * mode and the close sent without waiting for each other's answers (at most
 * {@linkcode WRITES_IN_FLIGHT} writes outstanding, so memory stays bounded),
 * answered together about one round trip after the last byte left.
 * ssh2's own write stream waits for each 64 KiB write before the next, and
 * for a `fchmod` after the open: 16 round trips for 1 MiB.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { SFTPWrapper } from "ssh2";

/** Bytes per write request (OpenSSH's sftp-server takes up to 255 KiB). */
export const WRITE_CHUNK = 64 * 1024;
/** Write requests outstanding at once: 2 MiB, OpenSSH's session window. */
export const WRITES_IN_FLIGHT = 32;

function call<T = void>(start: (done: (error?: Error | null, value?: T) => void) => void) {
  return new Promise<T>((resolve, reject) =>
    start((error, value) => error ? reject(error) : resolve(value as T))
  );
}

/**
 * Creates `path` (O_EXCL: a link planted there is never followed) with
 * `mode`, writes `bytes` to it and closes it. The mode is set on the open
 * handle as well (the server's umask applies at the open). Throws the
 * first error; the file may then exist, partly written, and is the
 * caller's to remove.
 *
 * @example
 * ```ts ignore
 * await sftpWriteNew(sftp, "/srv/.app.skiff-1", file.readable, { mode: 0o644 });
 * ```
 */
export async function sftpWriteNew(
  sftp: SFTPWrapper,
  path: string,
  bytes: ReadableStream<Uint8Array>,
  options: { mode: number },
): Promise<void> {
  const handle = await call<Buffer>((done) => sftp.open(path, "wx", { mode: options.mode }, done));
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  const track = (request: Promise<void>) => {
    const tracked = request.catch((error) => {
      failure ??= error;
    }).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  let position = 0;
  try {
    for await (const chunk of bytes) {
      for (let offset = 0; offset < chunk.length && failure === undefined;) {
        while (pending.size >= WRITES_IN_FLIGHT) await Promise.race(pending);
        const length = Math.min(WRITE_CHUNK, chunk.length - offset);
        const buffer = Buffer.from(chunk.buffer, chunk.byteOffset + offset, length);
        const at = position;
        track(call((done) => sftp.write(handle, buffer, 0, length, at, done)));
        offset += length;
        position += length;
      }
      if (failure !== undefined) break;
    }
  } finally {
    // Sent behind the writes: the server answers them in order.
    const mode = call((done) => sftp.fchmod(handle, options.mode, done));
    const closed = call((done) => sftp.close(handle, done));
    await Promise.all(pending);
    const [setMode, close] = await Promise.allSettled([mode, closed]);
    if (setMode.status === "rejected" && failure === undefined) {
      // A server without fchmod: set it by name (the file is not renamed yet).
      await call((done) => sftp.chmod(path, options.mode, done)).catch((error) =>
        failure ??= error
      );
    }
    if (close.status === "rejected") failure ??= close.reason;
  }
  if (failure !== undefined) throw failure;
}
