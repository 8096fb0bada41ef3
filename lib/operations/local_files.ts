/**
 * The deploy's local files as operations read them during a run. A small
 * file (at most {@linkcode SMALL_FILE}) is read whole once per run and kept
 * for every host. A larger one is never held: only its size and sha256 are
 * kept (the sha256 computed while reading it in chunks, once per run for each
 * version of the file), and connectors stream it from disk for each host,
 * where the page cache serves it.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Files up to this size are read whole and kept for the run. */
export const SMALL_FILE = 1024 * 1024;

/** Bytes hashed at a time. */
const HASH_CHUNK = 1024 * 1024;

/** One local file, opened by {@linkcode LocalFileCache.open}. */
export interface LocalFile {
  /** Its real path. */
  readonly path: string;
  /** Its size in bytes. */
  readonly size: number;
  /** Its content, when it is small (at most {@linkcode SMALL_FILE}); else undefined. */
  readonly bytes: Uint8Array | undefined;
  /** The hex sha256 of its content (computed once per run). */
  sha256(): Promise<string>;
}

/**
 * The hex sha256 of the file at `path`, read in chunks of 1 MiB: memory
 * stays flat whatever the file's size.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { sha256File } from "./local_files.ts";
 * strictEqual(
 *   await sha256File("/dev/null"),
 *   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
 * );
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  using file = await Deno.open(path);
  const hash = createHash("sha256");
  const buffer = new Uint8Array(HASH_CHUNK);
  for (;;) {
    const read = await file.read(buffer);
    if (read === null) break;
    hash.update(buffer.subarray(0, read));
  }
  return hash.digest("hex");
}

/**
 * The local files of one run: what was read and hashed, shared by every
 * host. Paths are the real paths the local-path policy checked.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { LocalFileCache } from "./local_files.ts";
 * const files = new LocalFileCache();
 * const file = await files.open("/dev/null");
 * deepStrictEqual([file.size, file.bytes?.length], [0, 0]); // small: read whole, kept for the run
 * deepStrictEqual((await file.sha256()).slice(0, 8), "e3b0c442");
 * ```
 */
export class LocalFileCache {
  readonly #small = new Map<string, Promise<Uint8Array>>();
  readonly #hashes = new Map<string, Promise<string>>();

  /** The whole content of `path`: kept for the run when small, read again each time when not. */
  async read(path: string): Promise<Uint8Array> {
    const kept = this.#small.get(path);
    if (kept) return await kept;
    const { size } = await Deno.stat(path);
    if (size > SMALL_FILE) return await Deno.readFile(path);
    const bytes = Deno.readFile(path);
    this.#small.set(path, bytes);
    bytes.catch(() => this.#small.delete(path));
    return await bytes;
  }

  /** `path` for an upload: its content when small, else only its size and a streaming sha256. */
  async open(path: string): Promise<LocalFile> {
    const kept = this.#small.get(path);
    const info = kept ? undefined : await Deno.stat(path);
    if (kept || info!.size <= SMALL_FILE) {
      const bytes = await this.read(path);
      return { path, size: bytes.length, bytes, sha256: () => this.#hash(path, bytes) };
    }
    const version = `${path}\0${info!.dev}:${info!.ino}:${info!.size}:${info!.mtime?.getTime()}`;
    return {
      path,
      size: info!.size,
      bytes: undefined,
      sha256: () => this.#remember(version, () => sha256File(path)),
    };
  }

  #hash(path: string, bytes: Uint8Array): Promise<string> {
    return this.#remember(
      `${path}\0small`,
      () => Promise.resolve(createHash("sha256").update(bytes).digest("hex")),
    );
  }

  #remember(key: string, compute: () => Promise<string>): Promise<string> {
    let hash = this.#hashes.get(key);
    if (!hash) {
      hash = compute();
      this.#hashes.set(key, hash);
      hash.catch(() => this.#hashes.delete(key));
    }
    return hash;
  }
}
