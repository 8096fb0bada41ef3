import { strictEqual } from "node:assert/strict";
import { skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { ensureTestUser, startSshd, TEST_PASSWORD, TEST_USER } from "../helpers/sshd.ts";

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
