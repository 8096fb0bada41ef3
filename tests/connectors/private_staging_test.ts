/**
 * Privileged uploads stage nothing another user of the target can read,
 * and `_sudo_user` uploads work (the target user reads the bytes on stdin).
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { runProcess } from "../../lib/process.ts";
import { ATTACKER, attackerLoop, ensureAttacker } from "../helpers/attacker.ts";
import { ensureTestUser, sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const MARK = `skiff-private-${crypto.randomUUID()}`;

Deno.test("a _sudo put on @local stages nothing another user can read", async () => {
  await ensureAttacker();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o755);
  const staging = Deno.env.get("TMPDIR") ?? "/tmp";
  const host = { name: "@local", data: {}, groups: ["@local"] };
  const local = new LocalConnector(host, { runProcess });
  const content = new TextEncoder().encode(`${MARK}\n`.repeat(20000));
  // Reads every skiff staging file it can, in $TMPDIR and beside the destination.
  await using watcher = attackerLoop(
    `for f in "$2"/skiff-put-* "$1"/.*.skiff-*; do grep -ls '${MARK}' "$f" && echo "$f"; done`,
    dir.path,
    staging,
  );
  for (let i = 0; i < 15; i++) {
    strictEqual(
      await local.putFile(content, dir.join("secret.txt"), { _sudo: true, mode: "600" }),
      true,
    );
  }
  const seen = await watcher.stop();
  strictEqual(seen, "", `the attacker read the content of: ${seen}`);
  const info = await Deno.stat(dir.join("secret.txt"));
  deepStrictEqual([info.uid, (info.mode! & 0o7777).toString(8)], [0, "600"]);
});

Deno.test("a _sudo_user put over @ssh lands owned by that user (no staged copy it cannot read)", async () => {
  const { uid } = await ensureAttacker();
  await ensureTestUser();
  await using sshd = await startSshd();
  const sudoers = "/etc/sudoers.d/skiff-test";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o755);
  const home = dir.join("home");
  await Deno.mkdir(home, { mode: 0o700 });
  await Deno.chown(home, uid, uid);
  const host = {
    name: "@ssh",
    data: sshHostData(sshd),
    groups: [],
  };
  const ssh = new SshConnector(host, { runProcess });
  await ssh.connect();
  try {
    const put = await ssh.putFile(new TextEncoder().encode(`${MARK}\n`), `${home}/f`, {
      _sudo: true,
      _sudo_user: ATTACKER,
      mode: "640",
    });
    strictEqual(put, true);
    strictEqual(await Deno.readTextFile(`${home}/f`), `${MARK}\n`);
    const info = await Deno.stat(`${home}/f`);
    deepStrictEqual([info.uid, (info.mode! & 0o7777).toString(8)], [uid, "640"]);
  } finally {
    await ssh.disconnect();
    await Deno.remove(sudoers).catch(() => {});
  }
});
