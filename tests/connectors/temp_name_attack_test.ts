/**
 * A link the attacker (a second, unprivileged account) plants at the
 * temporary name an upload stages its bytes in gains nothing, over a real
 * sshd. The name is random in real runs; here the connector's `tempName`
 * fixes it, so the link is in place before skiff writes. An SFTP upload
 * opens with O_EXCL; a privileged one refuses what is at the name and writes
 * only into a regular file it made itself (`set -C` alone opens a link to a
 * FIFO or a device, and the name shows in `ps` while sudo starts).
 */
import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { runProcess } from "../../lib/process.ts";
import { asAttacker, ATTACKER, attackerLoop, ensureAttacker } from "../helpers/attacker.ts";
import { ensureTestUser, sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);
const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("an upload over @ssh never writes through a link planted at its temporary name", async (t) => {
  await ensureAttacker();
  await ensureTestUser();
  await using sshd = await startSshd();
  const sudoers = "/etc/sudoers.d/skiff-test";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  await using dir = await tempDir();
  // Writable by everyone and not sticky: the kernel's protected_symlinks does
  // not apply here, so only how skiff opens the file stops the link.
  await Deno.chmod(dir.path, 0o777);
  const temp = dir.join(".app.conf.planted");
  const destination = dir.join("app.conf");
  const host = { name: "@ssh", data: sshHostData(sshd), groups: [] };
  const ssh = new SshConnector(host, { runProcess, tempName: () => temp });
  await ssh.connect();
  try {
    await t.step(
      "SFTP, as the login user: a link to a file it may write, or to nothing",
      async () => {
        const victim = dir.join("victim");
        await Deno.writeTextFile(victim, "original\n");
        const { uid } = Deno.statSync(dir.path);
        await runProcess(["chown", TEST_USER, victim]);
        strictEqual(uid, 0);
        for (const target of [victim, dir.join("created")]) {
          await asAttacker(`ln -s '${target}' '${temp}'`);
          await rejects(ssh.putFile(bytes("planted?\n"), destination));
          strictEqual(await exists(destination), false);
        }
        strictEqual(await Deno.readTextFile(victim), "original\n");
        strictEqual(await exists(dir.join("created")), false);
      },
    );
    await t.step("_sudo: a link to a FIFO the attacker reads", async () => {
      const fifo = dir.join("fifo");
      await asAttacker(`mkfifo '${fifo}' && ln -s '${fifo}' '${temp}'`);
      const out = dir.join("read-by-attacker");
      await using reader = attackerLoop(`cat "$1" >>"$2"`, fifo, out);
      await rejects(ssh.putFile(bytes("root only\n"), destination, { _sudo: true, mode: "600" }), {
        name: "OperationError",
        message: new RegExp(`${temp}: something is already at the temporary name`),
      });
      await reader.stop();
      strictEqual(await Deno.readTextFile(out).catch(() => ""), "");
      strictEqual(await exists(destination), false);
    });
    await t.step("_sudo with an owner: a link to a device node", async () => {
      const device = dir.join("device");
      const made = await runProcess(["mknod", "-m", "600", device, "c", "1", "3"]);
      strictEqual(made.exitCode, 0, made.output.stderr);
      await asAttacker(`ln -s '${device}' '${temp}'`);
      await rejects(
        ssh.putFile(bytes("root only\n"), destination, {
          _sudo: true,
          owner: ATTACKER,
          mode: "644",
        }),
        { name: "OperationError" },
      );
      const info = await Deno.lstat(device);
      deepStrictEqual([info.uid, (info.mode! & 0o7777).toString(8)], [0, "600"]);
      strictEqual(await exists(destination), false);
    });
    await t.step("with nothing planted the same uploads work", async () => {
      strictEqual(await ssh.putFile(bytes("a\n"), destination), true);
      strictEqual(await ssh.putFile(bytes("b\n"), destination, { _sudo: true, mode: "600" }), true);
      strictEqual(await Deno.readTextFile(destination), "b\n");
    });
  } finally {
    await ssh.disconnect();
    await Deno.remove(sudoers).catch(() => {});
  }
});
