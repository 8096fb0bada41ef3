import { strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { skiffInTerminal } from "../helpers/terminal.ts";
import { ensureTestUser, startSshd, TEST_PASSWORD, TEST_USER } from "../helpers/sshd.ts";

Deno.test("--user, --port, --key and --known-hosts reach the ssh connector; --data wins", async (t) => {
  await using sshd = await startSshd();
  const flags = [
    "--port",
    String(sshd.port),
    "--key",
    sshd.clientKey,
    "--known-hosts",
    sshd.knownHosts,
    "--data",
    "ssh_allow_agent=false,ssh_look_for_keys=false",
  ];
  await t.step("exec", async () => {
    const run = await runSkiff([
      "exec",
      "@ssh/127.0.0.1",
      "--user",
      TEST_USER,
      ...flags,
      "--",
      "id -un",
    ]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, `[@ssh/127.0.0.1] ${TEST_USER}\n`);
  });
  await t.step("facts", async () => {
    const run = await runSkiff([
      "facts",
      "@ssh/127.0.0.1",
      "server.command:id -un",
      "--user",
      TEST_USER,
      ...flags,
    ]);
    strictEqual(run.code, 0, run.stderr);
    assertIncludes(run.stdout, TEST_USER);
  });
  await t.step("an explicit --data ssh_user wins over --user", async () => {
    const run = await runSkiff([
      "exec",
      "@ssh/127.0.0.1",
      "--user",
      "nobody-such",
      ...flags,
      "--data",
      `ssh_user=${TEST_USER}`,
      "--",
      "id -un",
    ]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, `[@ssh/127.0.0.1] ${TEST_USER}\n`);
  });
  await t.step("a port that is not one is refused", async () => {
    const run = await runSkiff(["exec", "@ssh/127.0.0.1", "--port", "twenty", "--", "true"]);
    strictEqual(run.code, 2);
    strictEqual(run.stderr, 'error: --port: expected a port from 1 to 65535, got "twenty"\n');
  });
});

Deno.test("--password asks without echo on the terminal and logs in with it", async () => {
  await using sshd = await startSshd({ password: true });
  await ensureTestUser(TEST_PASSWORD);
  const terminal = skiffInTerminal([
    "exec",
    "@ssh/127.0.0.1",
    "--user",
    TEST_USER,
    "--port",
    String(sshd.port),
    "--password",
    "--known-hosts",
    sshd.knownHosts,
    "--data",
    "ssh_allow_agent=false,ssh_look_for_keys=false",
    "--",
    "id -un",
  ]);
  await terminal.waitFor("SSH password: ");
  await terminal.type(`${TEST_PASSWORD}\r`);
  const { code, text: seen } = await terminal.finish();
  strictEqual(code, 0, seen);
  assertIncludes(seen, `[@ssh/127.0.0.1] ${TEST_USER}`);
  assertExcludes(seen, TEST_PASSWORD);
});
