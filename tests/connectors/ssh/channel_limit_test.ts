/**
 * `ssh_max_channels`: how many channels one connection opens at once (the
 * shell and SFTP included, default OpenSSH's MaxSessions of 10), and what a
 * refused open does: it waits for one of ours to close, against a real sshd
 * whose MaxSessions is lower than the key says.
 */

import { deepStrictEqual, rejects, strictEqual, throws } from "node:assert/strict";
import { SshConnector } from "../../../connectors/ssh/connector.ts";
import { InputError } from "../../../lib/core/errors.ts";
import { runProcess } from "../../../lib/process.ts";
import { sshHostData, startSshd, type TestSshd } from "../../helpers/sshd.ts";

function connector(sshd: TestSshd, data: Record<string, unknown> = {}): SshConnector {
  return new SshConnector({ name: "web1", data: { ...sshHostData(sshd), ...data }, groups: [] }, {
    runProcess,
  });
}

/** Runs `count` commands at once, each on a channel of its own (`_stdin` asks for one). */
async function atOnce(c: SshConnector, count: number, command: (i: number) => string) {
  return await Promise.all(
    Array.from({ length: count }, (_, i) => c.runShellCommand(command(i), { _stdin: "" })),
  );
}

/** The most commands that ran at once: each prints how many had started and not ended. */
async function peak(sshd: TestSshd, data: Record<string, unknown>, count: number) {
  const dir = await Deno.makeTempDir({ prefix: "skiff-channels-" });
  await Deno.chmod(dir, 0o777);
  const c = connector(sshd, data);
  await c.connect();
  try {
    const log = `${dir}/log`;
    const results = await atOnce(
      c,
      count,
      () =>
        `echo s >> ${log}; sleep 0.6; n=$(grep -c s ${log}); m=$(grep -c e ${log}); echo e >> ${log}; echo $((n - m))`,
    );
    deepStrictEqual(results.map((r) => r.success), Array(count).fill(true));
    return Math.max(...results.map((r) => Number(r.output.stdout)));
  } finally {
    await c.disconnect();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ssh_max_channels caps the channels open at once; the default is no longer 3", async (t) => {
  await using sshd = await startSshd();
  await t.step("4: the shell, one kept for SFTP, 2 commands", async () => {
    strictEqual(await peak(sshd, { ssh_max_channels: 4 }, 6), 2);
  });
  await t.step("default 10: 6 commands at once", async () => {
    const most = await peak(sshd, {}, 6);
    strictEqual(most >= 4, true, `at most ${most} at once`);
  });
  await t.step("below 3 or not an integer: an input error naming the key", () => {
    for (const bad of [2, 0]) {
      throws(() => connector(sshd, { ssh_max_channels: bad }), (error: Error) => {
        strictEqual(error instanceof InputError, true);
        strictEqual(
          error.message,
          `ssh_max_channels must be an integer of at least 3 (the shell, SFTP and a command), not ${bad}`,
        );
        return true;
      });
    }
  });
});

Deno.test("a channel the server refuses waits for one of ours to close", async (t) => {
  await t.step("MaxSessions 4 under ssh_max_channels 10: 8 commands of 1 s all run", async () => {
    await using sshd = await startSshd({ maxSessions: 4 });
    const c = connector(sshd);
    await c.connect();
    try {
      const results = await atOnce(c, 8, (i) => `sleep 1; echo ${i}`);
      deepStrictEqual(
        results.map((r) => [r.success, r.output.stdout, r.error]),
        Array.from({ length: 8 }, (_, i) => [true, String(i), undefined]),
      );
    } finally {
      await c.disconnect();
    }
  });
  await t.step("MaxSessions 1, held by the shell: a clear error, not a hang", async () => {
    await using sshd = await startSshd({ maxSessions: 1 });
    const c = connector(sshd);
    await c.connect();
    try {
      await rejects(
        c.runShellCommand("echo no", { _stdin: "" }),
        new Error(
          "The server refused a channel with no command of ours open, only 1 lasting (the shell, SFTP): its MaxSessions is below ssh_max_channels 10: (SSH) Channel open failure: open failed",
        ),
      );
      strictEqual((await c.runShellCommand("echo yes")).output.stdout, "yes");
    } finally {
      await c.disconnect();
    }
  });
});
