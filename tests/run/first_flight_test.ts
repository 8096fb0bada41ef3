/**
 * A deploy's first facts: the host name, OS and architecture are asked for
 * as soon as the host is connected (the run lock came with the connection),
 * without waiting, so they travel with the work's first commands; asking
 * for them later runs nothing, and their commands are not shown.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { RunOptions } from "../../connectors/base.ts";
import { SshConnector } from "../../connectors/ssh/connector.ts";
import { type Command, toCommand } from "../../lib/core/command.ts";
import { arch, hostname } from "../../lib/facts/server.ts";
import { runProcess } from "../../lib/process.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { FIRST_FACTS, withHost } from "../../lib/run/with_host.ts";
import { sshHostData, startSshd } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

/** What reached the host, in order: `start X` when a command was sent, `end X` when it ended. */
const seen: string[] = [];

function name(command: Command | string): string {
  const text = toCommand(command).render();
  if (text.includes("uname -n")) return "hostname";
  if (text.includes("os-release")) return "os";
  if (text.includes("uname -m")) return "arch";
  if (text.includes("skiff-lock")) return "lock";
  if (text.startsWith("d=")) return "release";
  return text;
}

class RecordingSsh extends SshConnector {
  override async runShellCommand(command: Command | string, options?: RunOptions) {
    seen.push(`start ${name(command)}`);
    const result = await super.runShellCommand(command, options);
    seen.push(`end ${name(command)}`);
    return result;
  }
}

Deno.test("withHost() asks for the first facts at once, and later asks run nothing", async () => {
  await using sshd = await startSshd();
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o777);
  const events: RunEvent[] = [];
  const host = {
    name: "@ssh/first-flight",
    data: sshHostData(sshd),
    groups: [],
    connector: RecordingSsh,
  };
  let before: string[] = [];
  const outcome = await withHost(host as never, {
    context: { runProcess },
    emit: (event) => events.push(event),
    prefetch: FIRST_FACTS,
    lock: {
      owner: { run: "r1", controller: "c", user: "u", pid: 2, started: "t" },
      alive: () => Promise.resolve(true),
      path: dir.join("lock"),
    },
  }, async (session) => {
    before = seen.filter((entry) => entry.startsWith("start "));
    return await Promise.all([session.fact(hostname), session.fact(arch)]);
  });
  strictEqual(outcome.ok, true, outcome.error);
  deepStrictEqual(outcome.value, [Deno.hostname(), Deno.build.arch]);
  deepStrictEqual(before, ["start hostname", "start os", "start arch"], "sent before the work");
  deepStrictEqual(seen.filter((entry) => entry.startsWith("start ")), before, "and nothing more");
  deepStrictEqual(events.filter((e) => e.type === "command"), [], "prefetches are not shown");
});
