/**
 * `SshConnector.connectWith()` runs the connection's first command in the
 * persistent shell's own start, and `disconnectWith()` sends the last with
 * the end of the shell's input: exact results, one session on the server.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { SshConnector } from "../../../connectors/ssh/connector.ts";
import { secret, sh } from "../../../lib/core/command.ts";
import { runProcess } from "../../../lib/process.ts";
import { sshHostData, startSshd, type TestSshd } from "../../helpers/sshd.ts";

function connector(sshd: TestSshd, data: Record<string, unknown> = {}): SshConnector {
  return new SshConnector({ name: "web1", data: { ...sshHostData(sshd), ...data }, groups: [] }, {
    runProcess,
  });
}

/** The sessions sshd started so far (its VERBOSE log names each). */
function sessions(sshd: TestSshd): number {
  return sshd.log().split("\n").filter((line) => line.includes("Starting session:")).length;
}

Deno.test("SshConnector.connectWith() and disconnectWith() carry the first and last command", async (t) => {
  await using sshd = await startSshd({ logLevel: "VERBOSE" });
  await t.step("in the persistent shell's start and end: one session for all", async () => {
    const c = connector(sshd);
    const before = sessions(sshd);
    // Run by the shell's start: $$ is still the `sh -c` given the script.
    const first = await c.connectWith(
      "echo first; echo oops >&2; tr '\\0' ' ' < /proc/$$/cmdline | head -c 5; echo; exit 3",
      { sharedShell: true, _success_exit_codes: [3] },
    );
    deepStrictEqual(
      [first.success, first.exitCode, first.output.stdoutLines, first.output.stderr],
      [true, 3, ["first", "sh -c"], "oops"],
    );
    const next = await c.runShellCommand("echo next", { sharedShell: true });
    strictEqual(next.output.stdout, "next");
    const last = await c.disconnectWith("echo last; exit 4", { sharedShell: true });
    deepStrictEqual([last.success, last.exitCode, last.output.stdout], [false, 4, "last"]);
    strictEqual(sessions(sshd) - before, 1);
    strictEqual(
      (await c.runShellCommand("true")).error,
      "not connected",
      "disconnected after the last command",
    );
  });
  await t.step("a first command with a secret runs after connecting, never in argv", async () => {
    const c = connector(sshd);
    // $$ is the persistent shell: its argv would hold a script given at its start.
    const first = await c.connectWith(
      sh`printf '%s\\n' ${secret("s3cr3t-v4lue")}; tr '\\0' ' ' < /proc/$$/cmdline`,
      { sharedShell: true },
    );
    deepStrictEqual(first.output.stdoutLines, ["s3cr3t-v4lue", "sh "]);
    const plain = await c.runShellCommand("tr '\\0' ' ' < /proc/$$/cmdline", { sharedShell: true });
    strictEqual(plain.output.stdout, "sh ");
    await c.disconnect();
  });
  await t.step("without a persistent shell: on channels, same results", async () => {
    const c = connector(sshd, { ssh_persistent_shell: false });
    strictEqual((await c.connectWith("echo first")).output.stdout, "first");
    strictEqual((await c.disconnectWith("echo last")).output.stdout, "last");
  });
});
