import { strictEqual } from "node:assert/strict";
import { skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import {
  ensureTestUser,
  generateKey,
  startSshd,
  TEST_PASSWORD,
  TEST_USER,
} from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** POSIX single quotes, for the command line `script -c` runs. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** Reads the pty transcript until `text` appears (or the program ends). */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  seen: { text: string },
  text: string,
): Promise<void> {
  const decoder = new TextDecoder();
  while (!seen.text.includes(text)) {
    const { value, done } = await reader.read();
    if (done) return;
    seen.text += decoder.decode(value, { stream: true });
  }
}

Deno.test("the sudo password prompt reads with echo off: the pty transcript never shows it", async () => {
  await using sshd = await startSshd({ password: true });
  await ensureTestUser(TEST_PASSWORD);
  const sudoers = "/etc/sudoers.d/skiff-test-prompt";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
  try {
    const target = `@ssh/${TEST_USER}@127.0.0.1:${sshd.port}`;
    const skiff = [
      Deno.execPath(),
      ...skiffArgs([
        "exec",
        target,
        "--data",
        `ssh_key=${sshd.clientKey},ssh_known_hosts_file=${sshd.knownHosts}`,
        "--sudo",
        "--",
        "id -u",
      ]),
    ].map(quote).join(" ");
    // script(1) gives skiff a real terminal: stdin is a tty, so it may ask.
    const child = new Deno.Command("script", {
      args: ["-qfec", skiff, "/dev/null"],
      env: { NO_COLOR: "1", TERM: "dumb", SKIFF_RUN_LOCK: TEST_RUN_LOCK },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const seen = { text: "" };
    await readUntil(reader, seen, "sudo password: ");
    assertIncludes(seen.text, `[${target}] sudo password: `);
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(`${TEST_PASSWORD}\r`));
    await readUntil(reader, seen, "\u0000never");
    const status = await child.status;
    await writer.close().catch(() => {});
    await child.stderr.cancel();
    strictEqual(status.code, 0, seen.text);
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
  const skiff = [
    Deno.execPath(),
    ...skiffArgs([
      "exec",
      target,
      "--data",
      `ssh_key=${key},ssh_known_hosts_file=${sshd.knownHosts},ssh_allow_agent=false,ssh_look_for_keys=false`,
      "--",
      "echo logged-in-as-$(id -un)",
    ]),
  ].map(quote).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qfec", skiff, "/dev/null"],
    env: { NO_COLOR: "1", TERM: "dumb" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const writer = child.stdin.getWriter();
  const seen = { text: "" };
  const question = `[${target}] passphrase for key ${key}: `;
  await readUntil(reader, seen, question);
  await writer.write(new TextEncoder().encode(`${wrong}\r`));
  // Asked again after a wrong one, as OpenSSH does.
  await readUntil(reader, seen, question + "\r\n" + question);
  await writer.write(new TextEncoder().encode(`${passphrase}\r`));
  await readUntil(reader, seen, "\u0000never");
  const status = await child.status;
  await writer.close().catch(() => {});
  await child.stderr.cancel();
  strictEqual(status.code, 0, seen.text);
  strictEqual(
    seen.text.replaceAll("\r\n", "\n"),
    `${question}\n${question}\n[${target}] logged-in-as-${TEST_USER}\n`,
  );
  assertExcludes(seen.text, passphrase);
  assertExcludes(seen.text, wrong);
});
