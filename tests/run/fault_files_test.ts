/**
 * Fault cases 15 and 16 (a missing destination directory, permission denied
 * without sudo), a missing local source, and `_ignore_errors` catching a
 * failed upload on every connector alike: exit code, message, and nothing
 * left behind.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

async function write(path: string, body: string): Promise<string> {
  await Deno.writeTextFile(path, `export default async ({ ops, log }) => {\n${body}\n};\n`);
  return path;
}

Deno.test("a missing local source fails naming the deploy, the file and what it was resolved against", async () => {
  await using dir = await tempDir();
  const file = await write(
    dir.join("nope.ts"),
    `  await ops.files.put("nope.txt", "${dir.path}/out");`,
  );
  const run = await runSkiff(["deploy", "@local", file, "-y"]);
  strictEqual(run.code, 1, run.stderr);
  strictEqual(
    run.stdout.split("\n")[0],
    `[@local] files.put nope.txt: failed: Deploy nope: files.put source "nope.txt" does not exist ` +
      `(resolved against the deploy's folder ${dir.path} as ${dir.path}/nope.txt)`,
  );
  deepStrictEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["nope.ts"]);
});

Deno.test("fault 15: an upload into a missing directory fails clearly and leaves nothing", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("src.txt"), "x\n");
  const file = await write(
    dir.join("put.ts"),
    `  await ops.files.put("src.txt", "${dir.path}/missing/out.txt");`,
  );
  const run = await runSkiff(["deploy", "@local", file, "-y"]);
  strictEqual(run.code, 1, run.stderr);
  strictEqual(run.stdout.includes(`[@local] files.put src.txt: failed: `), true, run.stdout);
  deepStrictEqual([...Deno.readDirSync(dir.path)].map((e) => e.name).sort(), ["put.ts", "src.txt"]);
});

Deno.test("fault 16 and _ignore_errors: permission denied without sudo over @ssh; ignored, the host goes on", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o755); // root's: the test user may not write here
  await Deno.writeTextFile(dir.join("src.txt"), "x\n");
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const data = ["--data", `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`];
  await t.step("the upload fails: exit 1, nothing left", async () => {
    const file = await write(
      dir.join("deny.ts"),
      `  await ops.files.put("src.txt", "${dir.path}/out.txt");`,
    );
    const run = await runSkiff(["deploy", target, file, "-y", ...data]);
    strictEqual(run.code, 1, run.stdout + run.stderr);
    strictEqual(run.stdout.includes(`[${target}] files.put src.txt: failed: `), true, run.stdout);
    strictEqual(/ermission denied/.test(run.stdout), true, run.stdout);
    deepStrictEqual(
      [...Deno.readDirSync(dir.path)].map((e) => e.name).sort(),
      ["deny.ts", "src.txt"],
    );
  });
  await t.step("_ignore_errors: the failure is reported and the deploy goes on", async () => {
    const file = await write(
      dir.join("ignore.ts"),
      `  const r = await ops.files.put("src.txt", "${dir.path}/out.txt", { _ignore_errors: true });\n` +
        `  log("success " + r.success);\n  await ops.server.shell("true");`,
    );
    const run = await runSkiff(["deploy", target, file, "-y", ...data]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    strictEqual(run.stdout.includes(`[${target}] success false`), true, run.stdout);
    strictEqual(run.stdout.includes(`server.shell true: changed`), true, run.stdout);
  });
});
