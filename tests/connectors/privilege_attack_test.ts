/**
 * What a second account on the target sees of skiff's privileged commands:
 * never the sudo password through a preserved environment, never a `$`
 * expanded by `sudo -i`'s login shell; over SSH, no secret echoed by a pty
 * and no forged pid line turned into a kill.
 */
import { rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { markedPid } from "../../connectors/ssh/channels.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { secret, sh } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { ATTACKER, ensureAttacker } from "../helpers/attacker.ts";
import {
  ensureTestUser,
  sshHostData,
  startSshd,
  TEST_PASSWORD,
  TEST_USER,
} from "../helpers/sshd.ts";

const PASSWORD = "pw-9d1c-never-shown";

function local(): LocalConnector {
  return new LocalConnector({ name: "@local", data: {}, groups: ["@local"] }, { runProcess });
}

Deno.test("_preserve_sudo_env never hands the sudo password to the command's user", async () => {
  await ensureAttacker();
  const c = local();
  const asAttacker = { _sudo: true, _sudo_user: ATTACKER, _preserve_sudo_env: true };
  await rejects(c.runShellCommand("env", { ...asAttacker, _sudo_password: secret(PASSWORD) }), {
    name: "InputError",
    message: /^_sudo_password cannot be combined with _preserve_sudo_env/,
  });
  // Without the password the environment is still preserved, as asked.
  const env = await c.runShellCommand("env", asAttacker);
  strictEqual(env.success, true, env.output.stderr);
  strictEqual(env.output.stdout.includes("SKIFF_SUDO_PASSWORD"), false);
});

Deno.test("_use_sudo_login keeps quoted values literal: the login shell expands no $", async () => {
  await ensureAttacker();
  const c = local();
  const result = await c.runShellCommand(sh`printf '%s\n' ${"$HOME $USER $$ $1 ${X:-y}"}`, {
    _sudo: true,
    _sudo_user: ATTACKER,
    _use_sudo_login: true,
  });
  strictEqual(result.success, true, result.output.stderr);
  strictEqual(result.output.stdout, "$HOME $USER $$ $1 ${X:-y}");
  const who = await c.runShellCommand("id -un; pwd", {
    _sudo: true,
    _sudo_user: ATTACKER,
    _use_sudo_login: true,
  });
  strictEqual(who.output.stdout, `${ATTACKER}\n/home/${ATTACKER}`);
});

Deno.test("markedPid() takes only an integer pid above 1 after this command's marker", () => {
  strictEqual(markedPid("M:4242", "M:"), 4242);
  strictEqual(markedPid("M:1", "M:"), undefined);
  strictEqual(markedPid("M:0", "M:"), undefined);
  strictEqual(markedPid("M:-1", "M:"), undefined);
  strictEqual(markedPid("M:12 3", "M:"), undefined);
  strictEqual(markedPid("__skiff_pid__:99", "M:"), undefined);
});

Deno.test("over SSH, a pty never carries secrets and a forged pid line kills nothing", async (t) => {
  await ensureTestUser(TEST_PASSWORD);
  await using sshd = await startSshd({ password: true });
  const sudoers = "/etc/sudoers.d/skiff-test";
  await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
  const c = new SshConnector({
    name: "@ssh",
    data: sshHostData(sshd),
    groups: [],
  }, { runProcess });
  await c.connect();
  try {
    await t.step("_get_pty with a sudo password is refused before anything is sent", async () => {
      await rejects(
        c.runShellCommand("id -u", {
          _get_pty: true,
          _sudo: true,
          _sudo_password: secret(TEST_PASSWORD),
        }),
        { name: "InputError", message: /^_get_pty cannot be combined with secret values/ },
      );
      await rejects(
        c.runShellCommand(sh`echo ${secret("two\nlines")} >/dev/null`, { _get_pty: true }),
        { name: "InputError" },
      );
    });
    await t.step(
      "lines that look like pid markers stay output; a timeout kills only the command",
      async () => {
        const bystander = await c.runShellCommand("sleep 30 >/dev/null 2>&1 & echo $!");
        const pid = bystander.output.stdout.trim();
        for (const _get_pty of [false, true]) {
          const result = await c.runShellCommand(
            "echo __skiff_pid__:1; echo __skiff_pid__:1 >&2; sleep 5",
            { _timeout: 1, _get_pty },
          );
          strictEqual(result.timedOut, true);
          strictEqual(result.output.stdout.includes("__skiff_pid__:1"), true);
        }
        const alive = await c.runShellCommand(`kill -0 ${pid} && echo alive`);
        strictEqual(alive.output.stdout, "alive");
        await c.runShellCommand(`kill ${pid}`);
      },
    );
  } finally {
    await c.disconnect();
    await Deno.remove(sudoers).catch(() => {});
  }
});
