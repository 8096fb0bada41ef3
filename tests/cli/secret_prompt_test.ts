import { strictEqual } from "node:assert/strict";
import { skiffInTerminal } from "../helpers/terminal.ts";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import {
  ensureTestUser,
  generateKey,
  startSshd,
  TEST_PASSWORD,
  TEST_USER,
} from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("the sudo password prompt reads with echo off: the pty transcript never shows it", async () => {
  await using sshd = await startSshd({ password: true });
  await ensureTestUser(TEST_PASSWORD);
  const sudoers = "/etc/sudoers.d/skiff-test-prompt";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
  try {
    const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
    // A real terminal: stdin is a tty, so skiff may ask.
    const terminal = skiffInTerminal([
      "exec",
      target,
      "--data",
      `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
      "--sudo",
      "--",
      "id -u",
    ]);
    await terminal.waitFor("sudo password: ");
    assertIncludes(terminal.text, `[${target}] sudo password: `);
    await terminal.type(`${TEST_PASSWORD}\r`);
    const seen = await terminal.finish();
    strictEqual(seen.code, 0, seen.text);
    assertIncludes(seen.text, `[${target}] 0`);
    assertExcludes(seen.text, TEST_PASSWORD);
  } finally {
    await Deno.remove(sudoers).catch(() => {});
  }
});

Deno.test("an encrypted key without its passphrase is asked for with echo off, again when wrong: the pty transcript never shows it", async () => {
  await using dir = await tempDir();
  const passphrase = "key-phrase-5b1e";
  const wrong = "wrong-phrase-90c4";
  const key = await generateKey(dir.join("locked_ed25519"), "ed25519", passphrase);
  await using sshd = await startSshd({ authorize: [await Deno.readTextFile(`${key}.pub`)] });
  const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
  const terminal = skiffInTerminal([
    "exec",
    target,
    "--data",
    `ssh_key=${key},ssh_known_hosts_file=${sshd.knownHosts},ssh_allow_agent=false,ssh_look_for_keys=false`,
    "--",
    "echo logged-in-as-$(id -un)",
  ]);
  const question = `[${target}] passphrase for key ${key}: `;
  await terminal.waitFor(question);
  await terminal.type(`${wrong}\r`);
  // Asked again after a wrong one, as OpenSSH does.
  await terminal.waitFor(question + "\n" + question);
  await terminal.type(`${passphrase}\r`);
  const seen = await terminal.finish();
  strictEqual(seen.code, 0, seen.text);
  strictEqual(
    seen.text,
    `${question}\n${question}\n[${target}] logged-in-as-${TEST_USER}\n`,
  );
  assertExcludes(seen.text, passphrase);
  assertExcludes(seen.text, wrong);
});
