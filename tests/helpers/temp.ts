/**
 * Temporary directories tied to `await using`.
 *
 * @module
 */

/** A temporary directory removed when disposed. */
export interface TempDir extends AsyncDisposable {
  /** Its absolute path. */
  readonly path: string;
  /** A path inside it. */
  join(...parts: string[]): string;
}

/** Creates a temporary directory; `await using dir = await tempDir()` removes it afterwards. */
export async function tempDir(prefix = "skiff-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    join: (...parts) => [path, ...parts].join("/"),
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }).catch(() => {}),
  };
}

/** The hex sha256 of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `n` random bytes (crypto.getRandomValues gives at most 64 KiB per call). */
export function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(n, offset + 65536)));
  }
  return bytes;
}
