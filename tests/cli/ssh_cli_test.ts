import { strictEqual } from "node:assert/strict";
import { assertEndsWith, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const DEMO = new URL("../../fleets/deploys/demo.ts", import.meta.url).pathname;

Deno.test("skiff exec @ssh/user@127.0.0.1:PORT -- id runs over a real sshd", async () => {
  await using sshd = await startSshd();
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const run = await runSkiff([
    "exec",
    target,
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
    "--",
    "id",
    "-un",
  ]);
  strictEqual(run.code, 0, run.stderr);
  strictEqual(run.stdout, `[${target}] ${TEST_USER}\n`);
});

Deno.test("skiff deploy over SSH changes things once and nothing the second time", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const args = [
    "deploy",
    target,
    DEMO,
    "-y",
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts},demo_root=${dir.path}/demo`,
  ];
  const row = (stdout: string) =>
    stdout.split("\n").find((line) => line.startsWith(target))!.slice(target.length).trim().split(
      /\s+/,
    ).slice(0, 4)
      .join(" ");
  const first = await runSkiff(args);
  strictEqual(first.code, 0, first.stdout + first.stderr);
  strictEqual(row(first.stdout), "ok 6 0 0");
  const second = await runSkiff(args);
  strictEqual(second.code, 0, second.stdout + second.stderr);
  strictEqual(row(second.stdout), "ok 0 6 0");
  const owner = (await Deno.stat(`${dir.path}/demo/app.conf`)).uid;
  const uid = Number(
    new TextDecoder().decode(
      (await new Deno.Command("id", { args: ["-u", TEST_USER] }).output()).stdout,
    ),
  );
  strictEqual(owner, uid);
});

Deno.test("skiff exec reports an unreachable ssh host and still runs the others", async () => {
  await using sshd = await startSshd();
  const good = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const run = await runSkiff([
    "exec",
    `${good},@ssh/${TEST_USER}@127.0.0.1:1`,
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
    "--",
    "echo",
    "hi",
  ]);
  strictEqual(run.code, 1);
  strictEqual(run.stdout, `[${good}] hi\n`);
  assertIncludes(
    run.stderr,
    `[@ssh/${TEST_USER}@127.0.0.1:1] could not connect: Cannot connect to 127.0.0.1:1:`,
  );
  assertEndsWith(run.stderr, "1 of 2 hosts succeeded\n");
});

Deno.test("skiff deploy syncs a directory over SSH with rsync under the binary's flags", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  await Deno.mkdir(dir.join("site/css"), { recursive: true });
  await Deno.writeTextFile(dir.join("site/index.html"), "<h1>hi</h1>\n");
  await Deno.writeTextFile(dir.join("site/css/a.css"), "h1{}\n");
  await Deno.writeTextFile(
    dir.join("sync.ts"),
    `export default async function ({ ops }) {\n  await ops.files.sync("site", ${
      JSON.stringify(dir.join("www"))
    });\n}\n`,
  );
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const run = await runSkiff([
    "deploy",
    target,
    dir.join("sync.ts"),
    "-y",
    "-v",
    "--data",
    `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
  ]);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  // rsync (allowed) starts ssh itself: skiff needs no permission to run ssh.
  assertIncludes(run.stdout, `[${target}] $ rsync `);
  strictEqual(await Deno.readTextFile(dir.join("www/css/a.css")), "h1{}\n");
  strictEqual(await Deno.readTextFile(dir.join("www/index.html")), "<h1>hi</h1>\n");
});
