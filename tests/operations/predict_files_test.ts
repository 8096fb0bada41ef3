/**
 * For each file operation (and server.shell, server.script, git.repo), on
 * real files on @local: a dry run after an earlier operation that creates,
 * changes or removes what it touches reports the outcome the real run then
 * has, with the same description and diff. Each sequence runs as a dry run
 * (one session keeping the predicted state), then for real on the same
 * fresh directory.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { runProcess } from "../../lib/process.ts";
import {
  assertSameRuns as same,
  dryThenReal,
  outcomes,
  type Step,
  type StepOutcome,
} from "../helpers/predict.ts";
import { tempDir } from "../helpers/temp.ts";

const HOST = { name: "@local", data: {}, groups: ["@local"] };

/** Runs `steps(dir)` dry, then for real, in a fresh directory; `setup` prepares local files. */
async function predict(
  steps: (dir: string) => Step[],
  setup?: (dir: string) => Promise<void>,
): Promise<{ dry: StepOutcome[]; real: StepOutcome[]; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-predict-" });
  try {
    await setup?.(dir);
    const connector = new LocalConnector(HOST, { runProcess });
    const result = await dryThenReal(
      { host: HOST, connector, baseDir: dir },
      steps(`${dir}/t`),
    );
    return { ...result, dir };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("files.directory: a dry run follows its own earlier creations, mode changes and removals", async () => {
  const run = await predict((t) => [
    ["files.directory", t, { mode: "750" }],
    ["files.directory", t, { mode: "750" }],
    ["files.directory", t, { mode: "700" }],
    ["files.directory", `${t}/a/b`],
    ["files.directory", `${t}/a`],
    ["files.directory", t, { present: false }],
    ["files.directory", t, { present: false }],
    ["files.file", `${t}`],
    ["files.directory", t],
  ]);
  same(run, [
    "changed",
    "no change",
    "changed",
    "changed",
    "no change",
    "changed",
    "no change",
    "changed",
    "failed",
  ]);
  strictEqual(run.dry[0].description.endsWith("/t, mode 755 -> 750"), true);
});

Deno.test("files.file: created in a directory made earlier, then chmod, touched, removed; none where a directory was removed", async () => {
  const run = await predict((t) => [
    ["files.directory", t],
    ["files.file", `${t}/f`],
    ["files.file", `${t}/f`],
    ["files.file", `${t}/f`, { mode: "600" }],
    ["files.file", `${t}/f`, { touch: true }],
    ["files.file", `${t}/f`, { present: false }],
    ["files.file", `${t}/f`, { present: false }],
    ["files.directory", t, { present: false }],
    ["files.file", `${t}/f`],
  ]);
  same(run, [
    "changed",
    "changed",
    "no change",
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "failed",
  ]);
});

Deno.test("files.link: to directories made earlier, re-pointed and removed; refused over a file put there", async () => {
  const run = await predict((t) => [
    ["files.directory", `${t}/a`],
    ["files.directory", `${t}/b`],
    ["files.link", `${t}/l`, `${t}/a`],
    ["files.link", `${t}/l`, `${t}/a`],
    ["files.link", `${t}/l`, `${t}/b`],
    ["files.link", `${t}/l`, undefined, { present: false }],
    ["files.put", { content: "x\n" }, `${t}/f`],
    ["files.link", `${t}/f`, `${t}/a`],
  ]);
  same(run, [
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "changed",
    "changed",
    "failed",
  ]);
});

Deno.test("files.put: into a directory made earlier, unchanged, mode only, new content; createRemoteDir", async () => {
  const run = await predict((t) => [
    ["files.put", { content: "a\n" }, `${t}/d/f`],
    ["files.put", { content: "a\n" }, `${t}/d/f`, { createRemoteDir: true, mode: "640" }],
    ["files.directory", `${t}/d`],
    ["files.put", { content: "a\n" }, `${t}/d/f`, { mode: "640" }],
    ["files.put", { content: "a\n" }, `${t}/d/f`, { mode: "600" }],
    ["files.put", { content: "b\n" }, `${t}/d/f`],
    ["files.file", `${t}/d/f`, { mode: "600" }],
    ["files.file", `${t}/d/g`],
    ["files.put", { content: "" }, `${t}/d/g`],
    ["files.put", { content: "c\n" }, `${t}/d/g`],
  ]);
  same(run, [
    "failed",
    "changed",
    "no change",
    "no change",
    "changed",
    "changed",
    "no change",
    "changed",
    "no change",
    "changed",
  ]);
  strictEqual(run.dry[4].description, "mode 640 -> 600");
  strictEqual(run.dry[9].diff?.split("\n").slice(-1)[0], "+c");
});

Deno.test("files.line, files.block and files.replace edit what earlier operations wrote", async () => {
  const run = await predict((t) => [
    ["files.directory", t],
    ["files.file", `${t}/app.conf`],
    ["files.line", `${t}/app.conf`, "listen=8080"],
    ["files.line", `${t}/app.conf`, "listen=8080"],
    ["files.line", `${t}/app.conf`, "listen=9090", { match: "^listen=" }],
    ["files.put", { content: "a=1\nb=1\n" }, `${t}/r.conf`],
    ["files.replace", `${t}/r.conf`, "=1$", "=2"],
    ["files.replace", `${t}/r.conf`, "=1$", "=2"],
    ["files.block", `${t}/r.conf`, "x\ny", { marker: "# {mark} m" }],
    ["files.block", `${t}/r.conf`, "x\ny", { marker: "# {mark} m" }],
    ["files.block", `${t}/r.conf`, "", { marker: "# {mark} m", present: false }],
    ["files.file", `${t}/r.conf`, { present: false }],
    ["files.line", `${t}/r.conf`, "a=3"],
    ["files.line", `${t}/r.conf`, "a=3", { create: true, mode: "600" }],
    ["files.line", `${t}/r.conf`, "a=3", { mode: "600" }],
  ]);
  same(run, [
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "no change",
    "changed",
    "changed",
    "failed",
    "changed",
    "no change",
  ]);
  strictEqual(
    run.dry[4].diff,
    `--- ${run.dir}/t/app.conf\n+++ ${run.dir}/t/app.conf\n@@ -1,1 +1,1 @@\n-listen=8080\n+listen=9090`,
  );
});

Deno.test("files.template renders over what earlier operations wrote", async () => {
  const run = await predict(
    (t) => [
      ["files.template", "app.j2", `${t}/etc/app.conf`, { data: { port: 1 } }],
      ["files.directory", `${t}/etc`],
      ["files.template", "app.j2", `${t}/etc/app.conf`, { data: { port: 1 } }],
      ["files.template", "app.j2", `${t}/etc/app.conf`, { data: { port: 1 } }],
      ["files.put", { content: "port=2\n" }, `${t}/etc/app.conf`],
      ["files.template", "app.j2", `${t}/etc/app.conf`, { data: { port: 1 }, mode: "600" }],
    ],
    (dir) => Deno.writeTextFile(`${dir}/app.j2`, "port={{ port }}\n"),
  );
  same(run, ["failed", "changed", "changed", "no change", "changed", "changed"]);
});

Deno.test("files.sync, through rsync and by sha256 under _sudo, compares with what earlier operations put there", async (t) => {
  for (const control of [{}, { _sudo: true }]) {
    await t.step(JSON.stringify(control), async () => {
      const run = await predict(
        (t) => [
          ["files.directory", `${t}/dest`],
          ["files.put", { content: "old\n" }, `${t}/dest/a.txt`],
          ["files.put", { content: "extra\n" }, `${t}/dest/extra.txt`],
          ["files.sync", "src", `${t}/dest`, { delete: true }, control],
          ["files.sync", "src", `${t}/dest`, { delete: true }, control],
          ["files.file", `${t}/dest/sub/b.txt`, { present: false }],
          ["files.sync", "src", `${t}/dest`, {}, control],
        ],
        async (dir) => {
          await Deno.mkdir(`${dir}/src/sub`, { recursive: true });
          await Deno.writeTextFile(`${dir}/src/a.txt`, "new\n");
          await Deno.writeTextFile(`${dir}/src/sub/b.txt`, "b\n");
        },
      );
      deepStrictEqual(outcomes(run.real), outcomes(run.dry));
      deepStrictEqual(outcomes(run.real), [
        "changed",
        "changed",
        "changed",
        "changed",
        "no change",
        "changed",
        "changed",
      ]);
      strictEqual(
        run.dry[3].description,
        `updated ${run.dir}/t/dest/a.txt, created ${run.dir}/t/dest/sub/b.txt, removed ${run.dir}/t/dest/extra.txt`,
      );
    });
  }
});

Deno.test("files.get downloads what an earlier put wrote, once", async () => {
  const run = await predict((t) => [
    ["files.get", `${t}/remote.conf`, `${t}-copy`],
    ["files.directory", t],
    ["files.put", { content: "x\n" }, `${t}/remote.conf`],
    ["files.get", `${t}/remote.conf`, `${t}-copy`],
    ["files.get", `${t}/remote.conf`, `${t}-copy`],
    ["files.put", { content: "y\n" }, `${t}/remote.conf`],
    ["files.get", `${t}/remote.conf`, `${t}-copy`],
  ]);
  same(run, ["failed", "changed", "changed", "changed", "no change", "changed", "changed"]);
});

Deno.test("server.shell and server.script: what they touch is unknown to the dry run afterwards", async () => {
  const run = await predict((t) => [
    ["files.directory", t],
    ["server.shell", `ls ${t}`],
    ["server.shell", `echo a > ${t}/f`],
    ["files.line", `${t}/f`, "b"],
    ["files.line", `${t}/f`, "b"],
    ["server.script", { content: `#!/bin/sh\necho a > ${t}/s\n` }],
    ["files.line", `${t}/s`, "b"],
    ["server.shell", `touch ${t}/g`],
    ["files.file", `${t}/g`],
  ]);
  // After an opaque command the dry run cannot know: it says "would change"
  // without guessing, until an operation states the whole of what it
  // touched again. Where the command or an earlier edit already did the
  // work, the real run then finds nothing to do: the outcome a dry run may
  // overstate, by design.
  deepStrictEqual(outcomes(run.real), [
    "changed",
    "changed",
    "changed",
    "changed",
    "no change",
    "changed",
    "changed",
    "changed",
    "no change",
  ]);
  deepStrictEqual(outcomes(run.dry), [
    "changed",
    "changed",
    "changed",
    "changed",
    "changed",
    "changed",
    "changed",
    "changed",
    "changed",
  ]);
  deepStrictEqual(
    run.dry.map((step) => step.dependsOnEarlierChange ?? false),
    [false, false, false, true, true, false, true, false, true],
  );
  strictEqual(run.dry[3].description, "depends on an earlier change");
  strictEqual(run.real[4].description, `${run.dir}/t/f already has it`);
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: {
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example",
    },
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

Deno.test("git.repo follows its own clone, a removal of the copy and a checkout of a tag", async () => {
  await using origin = await tempDir();
  await git(origin.path, "init", "-q", "--bare", "-b", "main", "repo.git");
  await git(origin.path, "clone", "-q", "repo.git", "work");
  const work = origin.join("work");
  await Deno.writeTextFile(`${work}/f`, "one\n");
  await git(work, "add", "f");
  await git(work, "commit", "-q", "-m", "one");
  const one = await git(work, "rev-parse", "HEAD");
  await git(work, "tag", "v1");
  await Deno.writeTextFile(`${work}/f`, "two\n");
  await git(work, "commit", "-q", "-am", "two");
  const two = await git(work, "rev-parse", "HEAD");
  await git(work, "push", "-q", "origin", "main", "v1");
  const src = origin.join("repo.git");
  const run = await predict((t) => [
    ["git.repo", src, `${t}/co`, { branch: "main" }],
    ["git.repo", src, `${t}/co`, { branch: "main" }],
    ["git.repo", src, `${t}/co`, { branch: "v1" }],
    ["git.repo", src, `${t}/co`, { branch: "v1" }],
    ["files.directory", `${t}/co`, { present: false }],
    ["git.repo", src, `${t}/co`],
    ["git.repo", src, `${t}/co`, { branch: "main" }],
  ]);
  same(run, ["changed", "no change", "changed", "no change", "changed", "changed", "no change"]);
  deepStrictEqual(
    run.dry.map((step) => step.diff),
    [
      `${run.dir}/t/co: (none) → ${two.slice(0, 7)} (main)`,
      undefined,
      `${run.dir}/t/co: ${two.slice(0, 7)} → ${one.slice(0, 7)} (v1)`,
      undefined,
      undefined,
      `${run.dir}/t/co: (none) → ${two.slice(0, 7)}`,
      undefined,
    ],
  );
});
