/**
 * `files.put`, `files.get`, `files.sync` and `server.script` with files over
 * 1 MiB, for real on @local: they stream from disk (the memory side is
 * `tests/run/large_file_memory_test.ts`), hash only when sizes match, and
 * stay idempotent.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { SMALL_FILE } from "../../lib/operations/local_files.ts";
import { localHarness } from "../helpers/ops.ts";
import { randomBytes, sha256Hex, tempDir } from "../helpers/temp.ts";

const SIZE = SMALL_FILE * 3 + 5;

/** True when a script's output carried a sha256sum line (the host hashed the file). */
function hashed(stdout: string): boolean {
  return /^[0-9a-f]{64}\s+-$/m.test(stdout);
}

Deno.test("files.put of a large file: created, up to date, and updated without hashing a file of another size", async (t) => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  const dest = dir.join("out", "artifact.bin");
  await Deno.mkdir(dir.join("out"));
  const v1 = randomBytes(SIZE);
  await Deno.writeFile(dir.join("artifact.bin"), v1);
  await t.step("created, with its sizes as the diff", async () => {
    const result = await h.op("files.put", "artifact.bin", dest, { mode: "640" });
    deepStrictEqual(
      [result.changed, result.description, result.diff],
      [true, `created ${dest}`, `Large file ${dest}: absent -> ${SIZE} bytes`],
    );
    strictEqual(await sha256Hex(await Deno.readFile(dest)), await sha256Hex(v1));
    strictEqual(((await Deno.stat(dest)).mode! & 0o777).toString(8), "640");
    deepStrictEqual(h.uploads(), [`upload ${SIZE} bytes -> ${dest}`]);
  });
  await t.step("the same bytes: up to date (both sides hashed, nothing uploaded)", async () => {
    const result = await h.op("files.put", "artifact.bin", dest, { mode: "640" });
    deepStrictEqual([result.changed, hashed(result.stdout)], [false, true]);
    strictEqual(h.uploads().length, 1);
  });
  await t.step("another size: updated, and the host hashed nothing", async () => {
    const v2 = randomBytes(SIZE + 1);
    await Deno.writeFile(dir.join("artifact.bin"), v2);
    const result = await h.op("files.put", "artifact.bin", dest);
    deepStrictEqual(
      [result.changed, result.diff, hashed(result.stdout)],
      [true, `Large file ${dest}: ${SIZE} bytes -> ${SIZE + 1} bytes`, false],
    );
    strictEqual(await sha256Hex(await Deno.readFile(dest)), await sha256Hex(v2));
    strictEqual(((await Deno.stat(dest)).mode! & 0o777).toString(8), "640", "the mode is kept");
  });
  await t.step("the same size, other bytes: the hashes differ and it is updated", async () => {
    const v3 = randomBytes(SIZE + 1);
    await Deno.writeFile(dir.join("artifact.bin"), v3);
    const result = await h.op("files.put", "artifact.bin", dest);
    deepStrictEqual([result.changed, hashed(result.stdout)], [true, true]);
    strictEqual(await sha256Hex(await Deno.readFile(dest)), await sha256Hex(v3));
    strictEqual(h.uploads().length, 3);
  });
  deepStrictEqual((await Array.fromAsync(Deno.readDir(dir.join("out")))).map((e) => e.name), [
    "artifact.bin",
  ]);
});

Deno.test("files.get of a large file downloads it, then hashes only a local copy of the same size", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  const bytes = randomBytes(SIZE);
  await Deno.writeFile(dir.join("remote.bin"), bytes);
  const first = await h.op("files.get", dir.join("remote.bin"), "copy.bin");
  deepStrictEqual([first.changed, hashed(first.stdout)], [true, false]);
  strictEqual(await sha256Hex(await Deno.readFile(dir.join("copy.bin"))), await sha256Hex(bytes));
  const second = await h.op("files.get", dir.join("remote.bin"), "copy.bin");
  deepStrictEqual([second.changed, hashed(second.stdout)], [false, true]);
  bytes[SIZE - 1] ^= 1;
  await Deno.writeFile(dir.join("remote.bin"), bytes);
  const third = await h.op("files.get", dir.join("remote.bin"), "copy.bin");
  deepStrictEqual([third.changed, hashed(third.stdout)], [true, true]);
  strictEqual(await sha256Hex(await Deno.readFile(dir.join("copy.bin"))), await sha256Hex(bytes));
});

Deno.test("files.sync (without rsync) and server.script move large files from disk", async () => {
  await using dir = await tempDir();
  const h = localHarness(dir.path);
  await Deno.mkdir(dir.join("src", "sub"), { recursive: true });
  const big = randomBytes(SIZE);
  await Deno.writeFile(dir.join("src", "sub", "big.bin"), big);
  const sync = await h.op("files.sync", "src", dir.join("dest"), {}, { _sudo: true });
  deepStrictEqual([sync.changed, h.uploads()], [true, [
    `upload ${SIZE} bytes -> ${dir.join("dest", "sub", "big.bin")}`,
  ]]);
  strictEqual(
    await sha256Hex(await Deno.readFile(dir.join("dest", "sub", "big.bin"))),
    await sha256Hex(big),
  );
  strictEqual(
    (await h.op("files.sync", "src", dir.join("dest"), {}, { _sudo: true })).changed,
    false,
  );
  // A script over 1 MiB: a comment pads it.
  await Deno.writeTextFile(
    dir.join("big.sh"),
    `#!/bin/sh\necho ran "$1"\n# ${"x".repeat(SMALL_FILE + 10)}\n`,
  );
  const script = await h.op("server.script", "big.sh", { args: ["it"] });
  deepStrictEqual([script.changed, script.stdout], [true, "ran it"]);
});
