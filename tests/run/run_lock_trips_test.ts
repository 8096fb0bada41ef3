/**
 * Fault case 30's "no extra round trip": `withHost()` takes the run lock
 * with the connection's first command and releases it with its last, so a
 * locked host sends the connector exactly the calls an unlocked one does,
 * and over SSH the work costs the same round trips on the wire (the end one
 * more: the release's answer, where an idle shell's end is not waited for).
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { CommandResult, RunOptions } from "../../connectors/base.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import type { Command } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import { pidAlive, thisRun } from "../../lib/run/_host_lock.ts";
import { withHost } from "../../lib/run/with_host.ts";
import { startFreezeProxy } from "../helpers/freeze_proxy.ts";
import { sshHostData, startSshd } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** Every call that waits on the host, in order, with the proxy's round trips at its end. */
type Call = [name: string, turns: number];

/** An SshConnector that records what the host lifecycle asks of it (not its calls to itself). */
function recording(calls: Call[], turns: () => number) {
  let depth = 0;
  const note = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
    depth++;
    try {
      return await call();
    } finally {
      if (--depth === 0) calls.push([name, turns()]);
    }
  };
  return class RecordingSsh extends SshConnector {
    override connect(): Promise<void> {
      return note("connect", () => super.connect());
    }
    override connectWith(first: Command | string, options?: RunOptions): Promise<CommandResult> {
      return note("connectWith", () => super.connectWith(first, options));
    }
    override runShellCommand(
      command: Command | string,
      options?: RunOptions,
    ): Promise<CommandResult> {
      return note("runShellCommand", () => super.runShellCommand(command, options));
    }
    override disconnect(): Promise<void> {
      return note("disconnect", () => super.disconnect());
    }
    override disconnectWith(last: Command | string, options?: RunOptions): Promise<CommandResult> {
      return note("disconnectWith", () => super.disconnectWith(last, options));
    }
  };
}

Deno.test("withHost() takes the run lock with the connection's first command and leaves it with its last: no extra round trip", async (t) => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const lockPath = dir.join("lock");
  /** One host lifecycle whose work is one command (is the lock there?); returns the calls. */
  const lifecycle = async (locked: boolean) => {
    await using proxy = startFreezeProxy(sshd.port);
    const calls: Call[] = [];
    const connector = recording(calls, () => proxy.turns);
    const host = {
      name: "web1",
      data: { ...sshHostData(sshd), ssh_port: proxy.port, ssh_strict_host_key_checking: "no" },
      groups: [],
      connector,
    };
    const lock = locked
      ? { owner: thisRun(), alive: (pid: number) => pidAlive(pid, runProcess), path: lockPath }
      : undefined;
    const outcome = await withHost(
      host,
      { context: { runProcess }, lock },
      async (session) =>
        (await session.run(`test -d ${lockPath} && echo locked || echo free`, {})).output.stdout,
    );
    deepStrictEqual(outcome, { ok: true, value: locked ? "locked" : "free" });
    strictEqual(await Deno.stat(lockPath).then(() => true, () => false), false, "released");
    return calls;
  };
  const free = await lifecycle(false);
  const locked = await lifecycle(true);
  await t.step("the connector gets exactly the calls an unlocked host sends", () => {
    deepStrictEqual(free.map(([name]) => name), ["connect", "runShellCommand", "disconnect"]);
    deepStrictEqual(locked.map(([name]) => name), [
      "connectWith",
      "runShellCommand",
      "disconnectWith",
    ]);
  });
  await t.step("over SSH the work costs the same round trips with the lock", () => {
    const deltas = (calls: Call[]) => calls.slice(1).map(([, turns], i) => turns - calls[i][1]);
    // The end: an idle shell is not waited for (its end travels with the disconnect); the
    // release's answer is, so a warning can say when it failed.
    deepStrictEqual(deltas(free), [1, 0]);
    deepStrictEqual(deltas(locked), [1, 1]);
  });
});
