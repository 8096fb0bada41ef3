/**
 * server.shell over @ssh sends its commands together (the persistent shell
 * gates them): the first that fails stops the rest on the host, each command
 * is shown as it starts, and `_continue_on_error` and `_success_exit_codes`
 * keep their meaning.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import type { BatchOptions, RunOptions } from "../../connectors/base.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import type { Command } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { connectorHarness } from "../helpers/ops.ts";
import { sshHostData, startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** Lists how commands reach the connector: one by one, or as a batch of N. */
class CountingSsh extends SshConnector {
  readonly calls: string[] = [];
  override runShellCommand(command: Command | string, options?: RunOptions) {
    this.calls.push("one");
    return super.runShellCommand(command, options);
  }
  override runShellCommands(
    commands: readonly (Command | string)[],
    options: RunOptions,
    batch: BatchOptions,
  ) {
    this.calls.push(`batch of ${commands.length}`);
    return super.runShellCommands(commands, options, batch);
  }
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("server.shell over @ssh sends its commands as one batch and stops at the first failure", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const host = { name: `@ssh/${TEST_USER}@127.0.0.1`, data: sshHostData(sshd), groups: [] };
  const connector = new CountingSsh(host, { runProcess });
  const h = connectorHarness(host, connector, dir.path);
  await h.session.connect();
  try {
    await t.step(
      "a failure stops the rest on the host; each command shows as it starts",
      async () => {
        const after = dir.join("after-failure");
        const seen = h.events.length;
        await rejects(
          h.op("server.shell", [
            "echo one",
            "echo two >&2",
            "echo bad >&2; exit 4",
            `touch ${after}`,
          ]),
          {
            name: "OperationError",
            message: `Command failed on ${host.name} with exit code 4: echo bad >&2; exit 4\nbad`,
          },
        );
        strictEqual(await exists(after), false);
        deepStrictEqual(connector.calls.splice(0), ["batch of 4"]);
        const shown = h.events.slice(seen).flatMap((e) =>
          e.type === "command" ? [`$ ${e.command}`] : e.type === "output" ? [e.line] : []
        );
        deepStrictEqual(shown, [
          "$ echo one",
          "one",
          "$ echo two >&2",
          "two",
          "$ echo bad >&2; exit 4",
          "bad",
        ]);
      },
    );
    await t.step("_continue_on_error runs every command", async () => {
      const marker = dir.join("continued");
      const result = await h.op("server.shell", ["exit 4", `touch ${marker}`, "echo last"], {}, {
        _continue_on_error: true,
      });
      deepStrictEqual([result.description, result.stdout], [
        "ran 3 commands, failed: exit 4",
        "last",
      ]);
      strictEqual(await exists(marker), true);
    });
    await t.step("_success_exit_codes decide what counts as a failure", async () => {
      const marker = dir.join("allowed");
      const result = await h.op("server.shell", ["exit 4", `touch ${marker}`], {}, {
        _success_exit_codes: [0, 4],
      });
      strictEqual(result.description, "ran 2 commands");
      strictEqual(await exists(marker), true);
    });
    await t.step("with _sudo (no password asked) the batch still goes at once", async () => {
      const sudoers = "/etc/sudoers.d/skiff-rtt-batch";
      await Deno.writeTextFile(sudoers, `${TEST_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
      try {
        connector.calls.splice(0);
        const result = await h.op("server.shell", ["id -u", "id -un"], {}, { _sudo: true });
        deepStrictEqual([result.stdout, connector.calls], ["0\nroot", ["batch of 2"]]);
      } finally {
        await Deno.remove(sudoers);
      }
    });
    await t.step("the shell keeps working after a stopped batch", async () => {
      connector.calls.splice(0);
      const result = await h.op("server.shell", ["echo a", "echo b"]);
      deepStrictEqual([result.stdout, connector.calls], ["a\nb", ["batch of 2"]]);
    });
  } finally {
    await h.session.disconnect();
  }
});
