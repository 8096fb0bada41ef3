/**
 * An upload's bytes as the connectors read them: a local file read from
 * disk in large chunks as the transfer asks for them (never whole), bytes
 * already in memory, or a stream. A command that reads the bytes on stdin
 * must know their length before the first one is sent (`stagedMoveCommand`
 * checks it before the rename), so a stream of unknown length is first
 * spooled to a private local file.
 *
 * @module
 */

import type { FileSource } from "./base.ts";
import { sourceStream } from "./_shared.ts";

/** Bytes read from a local file at a time. */
export const READ_CHUNK = 256 * 1024;

/** The bytes of one upload, opened by {@linkcode uploadSource}. */
export interface UploadSource extends AsyncDisposable {
  /** The number of bytes; undefined for a stream not yet spooled. */
  readonly size: number | undefined;
  /** The local file the bytes are in, when they are in one. */
  readonly path: string | undefined;
  /**
   * The bytes as a stream, read as the consumer pulls them (a local file in
   * chunks of {@linkcode READ_CHUNK}). Call it once.
   */
  stream(): ReadableStream<Uint8Array>;
  /** What reading the bytes threw, if it did. */
  error(): unknown;
}

/**
 * A stream reading `path` in fresh chunks of {@linkcode READ_CHUNK} bytes as
 * they are pulled; the file is opened on the first pull and closed at the
 * end, on an error and on cancel.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { fileStream } from "./_upload_source.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * strictEqual(await new Response(fileStream(path)).text(), "hello");
 * await Deno.remove(path);
 * ```
 */
export function fileStream(
  path: string,
  onError?: (error: unknown) => void,
): ReadableStream<Uint8Array> {
  let file: Deno.FsFile | undefined;
  const close = () => {
    try {
      file?.close();
    } catch {
      // Already closed.
    }
    file = undefined;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        file ??= await Deno.open(path);
        const chunk = new Uint8Array(READ_CHUNK);
        const read = await file.read(chunk);
        if (read === null) {
          close();
          controller.close();
        } else controller.enqueue(chunk.subarray(0, read));
      } catch (error) {
        close();
        onError?.(error);
        controller.error(error);
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
}

/**
 * Opens `source` for an upload. A path is only looked at (its size) until
 * the stream is asked for; bytes are handed out in views of 64 KiB.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { uploadSource } from "./_upload_source.ts";
 * await using upload = await uploadSource(new TextEncoder().encode("abc"));
 * strictEqual(upload.size, 3);
 * strictEqual(await new Response(upload.stream()).text(), "abc");
 * ```
 */
export async function uploadSource(source: FileSource): Promise<UploadSource> {
  let failure: unknown;
  const onError = (error: unknown) => failure ??= error ?? new Error("The source failed");
  const dispose = () => Promise.resolve();
  if (typeof source === "string") {
    const { size } = await Deno.stat(source);
    return {
      size,
      path: source,
      stream: () => fileStream(source, onError),
      error: () => failure,
      [Symbol.asyncDispose]: dispose,
    };
  }
  if (source instanceof Uint8Array) {
    return {
      size: source.length,
      path: undefined,
      stream: () => sourceStream(source),
      error: () => undefined,
      [Symbol.asyncDispose]: dispose,
    };
  }
  const reader = source.getReader();
  return {
    size: undefined,
    path: undefined,
    stream: () =>
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          try {
            const next = await reader.read();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          } catch (error) {
            onError(error);
            controller.error(error);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      }, { highWaterMark: 0 }),
    error: () => failure,
    [Symbol.asyncDispose]: async () => {
      await reader.cancel().catch(() => {});
    },
  };
}

/**
 * `upload` with its size known: a stream of unknown length is copied to a
 * new file (0600) in a new local directory only its owner can enter, removed
 * when the result is disposed (or when copying fails, which throws what the
 * stream threw).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { sizedUpload, uploadSource } from "./_upload_source.ts";
 * const stream = new Response("four").body!;
 * await using upload = await sizedUpload(await uploadSource(stream));
 * strictEqual(upload.size, 4);
 * ```
 */
export async function sizedUpload(upload: UploadSource): Promise<UploadSource> {
  if (upload.size !== undefined) return upload;
  const dir = await Deno.makeTempDir({ prefix: "skiff-spool-" });
  const remove = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  try {
    await Deno.chmod(dir, 0o700);
    const path = `${dir}/upload`;
    const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    await upload.stream().pipeTo(file.writable);
    const spooled = await uploadSource(path);
    return {
      size: spooled.size,
      path: undefined, // a spool, not the caller's file
      stream: () => spooled.stream(),
      error: () => spooled.error(),
      [Symbol.asyncDispose]: remove,
    };
  } catch (error) {
    await remove();
    throw upload.error() ?? error;
  }
}
