/**
 * A background process left by an earlier command (here the attacker's,
 * started through `server.shell` in the SSH persistent shell) keeps
 * printing base64 of a line of its own: none of it may become part of what
 * a file operation reads back and writes, or of a later command's output.
 */
import { strictEqual } from "node:assert/strict";
import { ATTACKER, ensureAttacker } from "../helpers/attacker.ts";
import { sshHarness } from "../helpers/ops.ts";
import { ensureTestUser, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("stray output of a background process never becomes data in later commands (@ssh)", async () => {
  await ensureAttacker();
  await ensureTestUser();
  await using sshd = await startSshd();
  const sudoers = "/etc/sudoers.d/skiff-test";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const path = dir.join("app.conf");
  await Deno.writeTextFile(path, "a=1\n", { mode: 0o666 });
  const h = sshHarness(sshd);
  await h.session.connect();
  try {
    const injected = btoa("injected=1\n");
    await h.op(
      "server.shell",
      `sudo -n -u ${ATTACKER} sh -c ` +
        `'for i in $(seq 1 100); do echo ${injected}; echo ${injected} >&2; sleep 0.01; done' &`,
    );
    for (let i = 0; i < 8; i++) {
      await h.op("files.line", path, `b=${i}`, { match: "^b=" });
      strictEqual((await h.op("server.shell", "echo fact")).stdout, "fact");
    }
    strictEqual(await Deno.readTextFile(path), "a=1\nb=7\n");
  } finally {
    await h.session.disconnect();
    await Deno.remove(sudoers).catch(() => {});
  }
});
