/**
 * Fault cases 2 (unresolvable host name), 7 (wrong key) and 26 (invalid
 * UTF-8 output) through the CLI: exit code, message, and nothing left
 * running or written.
 */

import { strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { generateKey, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("fault 2: an unresolvable host name fails that host, exit 1", async () => {
  const target = "@ssh/nohost.invalid";
  const run = await runSkiff(["exec", target, "--data", "ssh_connect_retries=0", "--", "true"]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  const all = run.stdout + run.stderr;
  strictEqual(
    all.includes(`[${target}] could not connect: Cannot connect to nohost.invalid:22:`),
    true,
    all,
  );
  strictEqual(/ENOTFOUND|not known|resolve/i.test(all), true, all);
});

Deno.test("fault 7: a wrong key fails that host at once, naming what was tried, exit 1", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  const wrong = await generateKey(dir.join("wrong"));
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const started = performance.now();
  const run = await runSkiff([
    "exec",
    target,
    "--data",
    `ssh_key=${wrong},ssh_known_hosts_file=${sshd.knownHosts}`,
    "--",
    "true",
  ]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  const all = run.stdout + run.stderr;
  strictEqual(
    all.includes(
      `[${target}] could not connect: Authentication failed for ${TEST_USER}@127.0.0.1:${sshd.port}: tried publickey`,
    ),
    true,
    all,
  );
  strictEqual(
    performance.now() - started < 15_000,
    true,
    "authentication failures are not retried",
  );
});

Deno.test("fault 26: invalid UTF-8 output is shown with U+FFFD, exit 0", async () => {
  const run = await runSkiff(["exec", "@local", "--", "printf 'a\\377\\376b\\n'"]);
  strictEqual(run.code, 0, run.stderr);
  strictEqual(run.stdout, "[@local] a\uFFFD\uFFFDb\n");
});

Deno.test("fault 3: a port that accepts TCP but never sends an SSH banner fails after ssh_connect_timeout", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  const target = `@ssh/nobody@127.0.0.1:${port}`;
  const started = performance.now();
  const run = await runSkiff([
    "exec",
    target,
    "--data",
    "ssh_connect_timeout=1,ssh_connect_retries=0",
    "--",
    "true",
  ]);
  const seconds = (performance.now() - started) / 1000;
  for (const conn of held) conn.close();
  listener.close();
  await accepting.catch(() => {});
  strictEqual(run.code, 1, run.stdout + run.stderr);
  const all = run.stdout + run.stderr;
  strictEqual(all.includes(`[${target}] could not connect:`), true, all);
  strictEqual(/timed out|timeout/i.test(all), true, all);
  strictEqual(seconds < 10, true, `took ${seconds} s`);
});

Deno.test("fault 17: sudo that needs a password, with no terminal and none given, fails at once with what to do", async () => {
  await using sshd = await startSshd();
  // Its own file: sudoers.d files are read in name order, so a NOPASSWD rule
  // another test may write at the same time (skiff-test) would win; then
  // this test sees a success and fails, never the other one.
  const sudoers = "/etc/sudoers.d/skiff-fault17";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
  try {
    const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
    const run = await runSkiff([
      "exec",
      target,
      "--sudo",
      "--data",
      `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
      "--",
      "id -u",
    ]);
    strictEqual(run.code, 1, run.stdout + run.stderr);
    strictEqual(run.stdout, "");
    strictEqual(
      run.stderr,
      `[${target}] sudo: a password is required\n` +
        `[${target}] command failed: sudo on ${target} needs a password: set _sudo_password (secret) or add a NOPASSWD rule\n` +
        "0 of 1 hosts succeeded\n",
    );
  } finally {
    await Deno.remove(sudoers);
  }
});
