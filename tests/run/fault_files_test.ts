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

Deno.test("a missing local source is an input error said once per run: which deploy, which file, resolved against what, exit 2", async (t) => {
  await using dir = await tempDir();
  const cheap = new URL("../helpers/cheap_connector.ts", import.meta.url).pathname;
  const fleet = dir.join("fleet.yml");
  await Deno.writeTextFile(
    fleet,
    `fleet:\n  connectors: [${cheap}]\n  hosts:\n    "@cheap/a": {}\n    "@cheap/b": {}\n    "@cheap/c": {}\n`,
  );
  // Each host leaves a mark before the operation that fails.
  const file = dir.join("nope.ts");
  await Deno.writeTextFile(
    file,
    `export default async ({ ops, host }) => {
  await ops.server.shell("touch ran-" + host.name.slice(7), { _chdir: ${
      JSON.stringify(dir.path)
    } });
  await ops.files.put("nope.txt", "${dir.path}/out");
};
`,
  );
  const error = `error: Deploy nope: files.put source "nope.txt" does not exist ` +
    `(resolved against the deploy's folder ${dir.path} as ${dir.path}/nope.txt)\n`;
  const failedLine = (host: string) =>
    `[@cheap/${host}] files.put nope.txt: failed: source "nope.txt" does not exist (see the error at the end)`;
  const hostLines = (stdout: string) =>
    stdout.split("\n").filter((line) => line.startsWith("[@cheap/"));
  const marks = () =>
    [...Deno.readDirSync(dir.path)].map((e) => e.name).filter((name) => name.startsWith("ran-"))
      .sort();
  await t.step(
    "one host after another: the first meets it, the others are not started",
    async () => {
      const run = await runSkiff(["deploy", fleet, file, "-y", "--parallel", "1"]);
      strictEqual(run.code, 2, run.stdout + run.stderr);
      strictEqual(run.stderr, error);
      deepStrictEqual(hostLines(run.stdout), [
        "[@cheap/a] server.shell touch ran-a: changed (ran: touch ran-a)",
        failedLine("a"),
        "[@cheap/b] failed: not started: the deploy's input is wrong (see the error at the end)",
        "[@cheap/c] failed: not started: the deploy's input is wrong (see the error at the end)",
      ]);
      deepStrictEqual(marks(), ["ran-a"]);
      await Deno.remove(dir.join("ran-a"));
    },
  );
  await t.step(
    "hosts at once: each names the operation that failed, the message is said once",
    async () => {
      const run = await runSkiff(["deploy", fleet, file, "-y"]);
      strictEqual(run.code, 2, run.stdout + run.stderr);
      strictEqual(run.stderr, error);
      deepStrictEqual(
        hostLines(run.stdout).filter((line) => line.includes("files.put")).sort(),
        ["a", "b", "c"].map(failedLine),
      );
      strictEqual(run.stdout.includes("does not exist (resolved"), false, run.stdout);
      deepStrictEqual(marks(), ["ran-a", "ran-b", "ran-c"]);
    },
  );
  deepStrictEqual(
    [...Deno.readDirSync(dir.path)].map((e) => e.name).filter((name) => !name.startsWith("ran-"))
      .sort(),
    ["fleet.yml", "nope.ts"],
    "nothing uploaded",
  );
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
