/**
 * `files.copy` and `files.move` on real files on @local: each sequence runs
 * as a dry run (one predicting session), then for real on the same fresh
 * directory; both must have the same outcomes, descriptions and diffs.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { runProcess } from "../../lib/process.ts";
import { localHarness } from "../helpers/ops.ts";
import { dryThenReal, outcomes, shown, type Step } from "../helpers/predict.ts";
import { tempDir } from "../helpers/temp.ts";

const HOST = { name: "@local", data: {}, groups: ["@local"] };
const mode = async (path: string) => ((await Deno.lstat(path)).mode! & 0o7777).toString(8);
const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** A fresh directory holding `src.conf` ("one\n", mode 640). */
async function fresh(dir: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/src.conf`, "one\n");
  await Deno.chmod(`${dir}/src.conf`, 0o640);
}

async function dryAndReal(dir: string, steps: Step[]) {
  await fresh(dir);
  const connector = new LocalConnector(HOST, { runProcess });
  return await dryThenReal({ host: HOST, connector, baseDir: dir }, steps);
}

Deno.test("files.copy copies on the host once, keeps the mode it replaces, and its dry run predicts it", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  const [src, out, copy] = [`${d}/src.conf`, `${d}/out`, `${d}/out/copy.conf`];
  const run = await dryAndReal(d, [
    ["files.copy", src, copy],
    ["files.directory", out],
    ["files.copy", src, copy],
    ["files.copy", src, copy],
    ["files.copy", src, copy, { mode: "600" }],
    ["files.put", { content: "two\n" }, src],
    ["files.copy", src, copy],
    ["files.copy", src, copy, { mode: "0600" }],
    ["files.copy", `${d}/missing`, copy],
  ]);
  const diff = (before: string, after: string) =>
    before === ""
      ? `--- /dev/null\n+++ ${copy}\n@@ -0,0 +1,1 @@\n+${after}`
      : `--- ${copy}\n+++ ${copy}\n@@ -1,1 +1,1 @@\n-${before}\n+${after}`;
  deepStrictEqual(shown(run.real), [
    "failed",
    `changed: created ${out}\n`,
    `changed: copied ${src} -> ${copy}\n${diff("", "one")}`,
    `no change: ${copy} is up to date\n`,
    `changed: mode 640 -> 600\n${copy}: mode 640 -> 600`,
    `changed: updated ${src}\n${`--- ${src}\n+++ ${src}\n@@ -1,1 +1,1 @@\n-one\n+two`}`,
    `changed: copied ${src} -> ${copy}\n${diff("one", "two")}`,
    `no change: ${copy} is up to date\n`,
    "failed",
  ]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  strictEqual(run.real[8].description, `files.copy: ${d}/missing does not exist on @local`);
  strictEqual(await Deno.readTextFile(copy), "two\n");
  strictEqual(await mode(copy), "600");
  deepStrictEqual((await Array.fromAsync(Deno.readDir(out))).map((e) => e.name), ["copy.conf"]);
});

Deno.test("files.copy: a new copy takes the source's mode, or the one asked for, and the owner asked for", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  const me = new TextDecoder().decode(
    (await new Deno.Command("id", { args: ["-gn"] }).output()).stdout,
  ).trim();
  const run = await dryAndReal(d, [
    ["files.copy", `${d}/src.conf`, `${d}/a.conf`],
    ["files.copy", `${d}/src.conf`, `${d}/b.conf`, { mode: "604", group: me }],
    ["files.copy", `${d}/src.conf`, `${d}/b.conf`, { mode: "604", group: me }],
    ["files.copy", `${d}/a.conf`, `${d}/b.conf`, { mode: "604" }],
  ]);
  deepStrictEqual(outcomes(run.real), ["changed", "changed", "no change", "no change"]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  strictEqual(await mode(`${d}/a.conf`), "640");
  strictEqual(await mode(`${d}/b.conf`), "604");
});

Deno.test("files.move moves once, then is in place; its dry run predicts it", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  const [src, moved] = [`${d}/src.conf`, `${d}/moved.conf`];
  const run = await dryAndReal(d, [
    ["files.move", src, moved],
    ["files.move", src, moved],
    ["files.copy", moved, `${d}/again.conf`],
    ["files.move", `${d}/nothing`, `${d}/nowhere`],
    ["files.directory", `${d}/tree/sub`],
    ["files.move", `${d}/again.conf`, `${d}/tree`],
    ["files.move", `${d}/tree`, `${d}/tree2`],
    ["files.move", `${d}/tree`, `${d}/tree2`],
    ["files.directory", `${d}/tree`],
    ["files.put", { content: "x\n" }, `${d}/x.conf`],
    ["files.move", `${d}/x.conf`, moved],
    ["files.copy", moved, `${d}/again.conf`],
  ]);
  deepStrictEqual(shown(run.real), [
    `changed: moved ${src} -> ${moved}\n`,
    `no change: ${moved} is in place\n`,
    `changed: copied ${moved} -> ${d}/again.conf\n--- /dev/null\n+++ ${d}/again.conf\n@@ -0,0 +1,1 @@\n+one`,
    "failed",
    `changed: created ${d}/tree/sub\n`,
    "failed",
    `changed: moved ${d}/tree -> ${d}/tree2\n`,
    `no change: ${d}/tree2 is in place\n`,
    `changed: created ${d}/tree\n`,
    `changed: created ${d}/x.conf\n--- /dev/null\n+++ ${d}/x.conf\n@@ -0,0 +1,1 @@\n+x`,
    `changed: moved ${d}/x.conf -> ${moved}\n`,
    `changed: copied ${moved} -> ${d}/again.conf\n--- ${d}/again.conf\n+++ ${d}/again.conf\n@@ -1,1 +1,1 @@\n-one\n+x`,
  ]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  strictEqual(await exists(src), false);
  strictEqual(await Deno.readTextFile(moved), "x\n");
  strictEqual(await mode(moved), "644");
  strictEqual(await exists(`${d}/tree2/sub`), true);
});

Deno.test("files.copy and files.move refuse bad paths with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [string, unknown[], string][] = [
    ["files.copy", ["-x", "/tmp/y"], `files.copy src: a path must not start with "-", got "-x"`],
    ["files.copy", ["/tmp/x", ""], `files.copy dest: expected a path, got ""`],
    [
      "files.copy",
      ["/tmp/x", "/tmp/y", { mode: "9" }],
      `mode: expected an octal mode such as "644", got "9"`,
    ],
    ["files.move", [3, "/tmp/y"], `files.move: argument 1 (src) must be a string, got 3`],
    ["files.move", ["/tmp/x", "--y"], `files.move dest: a path must not start with "-", got "--y"`],
  ];
  for (const [name, args, message] of cases) {
    await t.step(`${name} ${JSON.stringify(args)}`, async () => {
      await rejects(h.op(name, ...args), { name: "InputError", message });
    });
  }
});
