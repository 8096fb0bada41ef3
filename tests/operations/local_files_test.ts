import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { LocalFileCache, sha256File, SMALL_FILE } from "../../lib/operations/local_files.ts";
import { randomBytes, sha256Hex, tempDir } from "../helpers/temp.ts";

Deno.test("LocalFileCache keeps small files for the run and only the sha256 of large ones", async (t) => {
  await using dir = await tempDir();
  await t.step("a small file is read once: a change during the run is not seen", async () => {
    const path = dir.join("small.conf");
    await Deno.writeTextFile(path, "port=1\n");
    const files = new LocalFileCache();
    const first = await files.open(path);
    await Deno.writeTextFile(path, "port=22\n");
    const again = await files.open(path);
    deepStrictEqual(
      [first.size, new TextDecoder().decode(again.bytes), await again.sha256()],
      [7, "port=1\n", await sha256Hex(new TextEncoder().encode("port=1\n"))],
    );
    strictEqual(new TextDecoder().decode(await files.read(path)), "port=1\n");
  });
  await t.step("a file of exactly 1 MiB is still small", async () => {
    const path = dir.join("edge.bin");
    await Deno.writeFile(path, new Uint8Array(SMALL_FILE));
    strictEqual((await new LocalFileCache().open(path)).bytes?.length, SMALL_FILE);
  });
  await t.step("a large file is never held; its sha256 is hashed in chunks", async () => {
    const path = dir.join("large.bin");
    const bytes = randomBytes(SMALL_FILE * 2 + 17);
    await Deno.writeFile(path, bytes);
    const file = await new LocalFileCache().open(path);
    deepStrictEqual(
      [file.bytes, file.size, await file.sha256()],
      [undefined, bytes.length, await sha256Hex(bytes)],
    );
    strictEqual(await sha256File(path), await sha256Hex(bytes));
  });
  await t.step("a large file's sha256 is computed once per version of the file", async () => {
    const path = dir.join("versions.bin");
    const v1 = randomBytes(SMALL_FILE + 1);
    await Deno.writeFile(path, v1);
    const files = new LocalFileCache();
    strictEqual(await (await files.open(path)).sha256(), await sha256Hex(v1));
    // Same inode, size and mtime: the kept hash is used, the file is not read again.
    const { mtime } = await Deno.stat(path);
    const v2 = randomBytes(SMALL_FILE + 1);
    await Deno.writeFile(path, v2);
    await Deno.utime(path, mtime!, mtime!);
    strictEqual(await (await files.open(path)).sha256(), await sha256Hex(v1));
    // A new mtime is a new version.
    await Deno.utime(path, new Date(mtime!.getTime() + 5000), new Date(mtime!.getTime() + 5000));
    strictEqual(await (await files.open(path)).sha256(), await sha256Hex(v2));
  });
  await t.step("read() of a large file reads it each time (nothing kept)", async () => {
    const path = dir.join("template-large.txt");
    await Deno.writeTextFile(path, "a".repeat(SMALL_FILE + 1));
    const files = new LocalFileCache();
    strictEqual((await files.read(path)).length, SMALL_FILE + 1);
    await Deno.writeTextFile(path, "b".repeat(SMALL_FILE + 2));
    strictEqual((await files.read(path)).length, SMALL_FILE + 2);
  });
});
