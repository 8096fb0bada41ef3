import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { assertStartsWith } from "../helpers/assert_text.ts";
import { localHarness } from "../helpers/ops.ts";
import { tempDir } from "../helpers/temp.ts";

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
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

async function commit(work: string, text: string): Promise<string> {
  await Deno.writeTextFile(`${work}/file.txt`, text);
  await git(work, "add", "file.txt");
  await git(work, "commit", "-q", "-m", text);
  await git(work, "push", "-q", "origin", "HEAD");
  return await git(work, "rev-parse", "HEAD");
}

Deno.test("git.repo clones once, pulls only when the branch moved, checks out tags and branches", async (t) => {
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o755);
  const origin = dir.join("origin.git");
  const work = dir.join("work");
  const dest = dir.join("checkout");
  await git(dir.path, "init", "-q", "--bare", "-b", "main", origin);
  await git(dir.path, "clone", "-q", origin, work);
  const first = await commit(work, "one");
  await git(work, "tag", "v1");
  await git(work, "push", "-q", "origin", "v1");
  const h = localHarness();
  const head = () => git(dest, "rev-parse", "HEAD");
  await t.step("dry run clones nothing", async () => {
    const result = await h.dry("git.repo", origin, dest, { branch: "main" });
    deepStrictEqual([result.changed, result.description], [
      true,
      `cloned ${origin} into ${dest} at main`,
    ]);
    strictEqual(await Deno.stat(dest).then(() => true, () => false), false);
  });
  await t.step("first run clones", async () => {
    const result = await h.op("git.repo", origin, dest, { branch: "main" });
    strictEqual(result.changed, true);
    strictEqual(await head(), first);
  });
  await t.step("second run changes nothing", async () => {
    const result = await h.op("git.repo", origin, dest, { branch: "main" });
    deepStrictEqual([result.changed, result.description], [
      false,
      `${dest} is at ${first.slice(0, 7)}`,
    ]);
  });
  const second = await commit(work, "two");
  await t.step("a new commit: dry run reports it, the run pulls it, then nothing", async () => {
    const dry = await h.dry("git.repo", origin, dest, { branch: "main" });
    strictEqual(
      dry.description,
      `${dest}: HEAD ${first.slice(0, 7)} -> ${second.slice(0, 7)} (main)`,
    );
    strictEqual(await head(), first);
    const result = await h.op("git.repo", origin, dest, { branch: "main" });
    strictEqual(
      result.description,
      `${dest}: HEAD ${first.slice(0, 7)} -> ${second.slice(0, 7)} (main)`,
    );
    strictEqual(await head(), second);
    strictEqual((await h.op("git.repo", origin, dest, { branch: "main" })).changed, false);
  });
  await t.step("pull false leaves the branch where it is", async () => {
    await commit(work, "three");
    strictEqual((await h.op("git.repo", origin, dest, { pull: false })).changed, false);
    strictEqual(await head(), second);
  });
  await t.step("a tag is checked out detached, once", async () => {
    const result = await h.op("git.repo", origin, dest, { branch: "v1" });
    strictEqual(result.changed, true);
    strictEqual(await head(), first);
    strictEqual((await h.op("git.repo", origin, dest, { branch: "v1" })).changed, false);
  });
  await t.step("a missing branch is an error", async () => {
    await rejects(h.op("git.repo", origin, dest, { branch: "nope" }), {
      name: "OperationError",
      message: `git.repo: ${origin} has no branch or tag "nope"`,
    });
  });
  await t.step("user runs git as that user", async () => {
    const owned = dir.join("as-nobody");
    await Deno.mkdir(owned);
    const theirs = `${owned}/origin.git`;
    await git(dir.path, "clone", "-q", "--bare", origin, theirs);
    await new Deno.Command("chown", { args: ["-R", "nobody", owned] }).output();
    const result = await h.op("git.repo", theirs, `${owned}/co`, { user: "nobody" });
    strictEqual(result.changed, true);
    const owner = new TextDecoder().decode(
      (await new Deno.Command("stat", { args: ["-c", "%U", `${owned}/co/file.txt`] }).output())
        .stdout,
    ).trim();
    strictEqual(owner, "nobody");
    assertStartsWith(h.commands().at(-1), "git clone");
    strictEqual(
      (await h.op("git.repo", theirs, `${owned}/co`, { user: "nobody" })).changed,
      false,
    );
  });
});
