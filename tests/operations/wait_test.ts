/**
 * `server.wait` on @local: a port that starts listening, a path that
 * appears, a command that comes to succeed; a timeout that names what is
 * still not ready; a dry run that does not wait. The port check's
 * fallback without /proc (bash's /dev/tcp) runs in the Debian tree with
 * its /proc unmounted.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { runProcess } from "../../lib/process.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { connectorHarness, localHarness } from "../helpers/ops.ts";
import { run } from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";

const outcome = (result: { changed: boolean; success: boolean; description: string }) => [
  result.success,
  result.changed,
  result.description,
];

Deno.test("server.wait waits for a port, a path and a command, never changes, and times out naming what is not ready", async (t) => {
  await using dir = await tempDir();
  const h = localHarness();
  const path = dir.join("ready");
  await t.step("a path that appears after a second, and a command that then succeeds", async () => {
    const timer = setTimeout(() => Deno.writeTextFileSync(path, ""), 1200);
    const started = Date.now();
    const result = await h.op("server.wait", { path, command: `test -e '${path}'`, timeout: 10 });
    clearTimeout(timer);
    deepStrictEqual(outcome(result), [
      true,
      false,
      `ready: path ${path}, command test -e '${path}'`,
    ]);
    strictEqual(Date.now() - started >= 1000, true);
    deepStrictEqual(outcome(await h.op("server.wait", { path })), [
      true,
      false,
      `ready: path ${path}`,
    ]);
  });
  await t.step("a port that listens", async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    deepStrictEqual(outcome(await h.op("server.wait", { port, timeout: 5 })), [
      true,
      false,
      `ready: port ${port}`,
    ]);
  });
  await t.step("a timeout names what is still not ready", async () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const started = Date.now();
    await rejects(
      h.op("server.wait", { port, path: dir.join("never"), command: "false", timeout: 1 }),
      {
        name: "OperationError",
        message: `server.wait: not ready on @local after 1 s: port ${port} does not accept, ${
          dir.join("never")
        } does not exist, the command fails`,
      },
    );
    strictEqual(Date.now() - started < 5000, true);
  });
  await t.step("a dry run does not wait and says the same", async () => {
    const before = h.commands().length;
    deepStrictEqual(outcome(await h.dry("server.wait", { path: dir.join("never") })), [
      true,
      false,
      `ready: path ${dir.join("never")}`,
    ]);
    strictEqual(h.commands().length, before);
  });
});

Deno.test("server.wait's port check without /proc falls back to bash's /dev/tcp (Debian tree, /proc unmounted)", async () => {
  await using root = await debianRoot();
  await run(["umount", `${root.path}/proc`]);
  strictEqual(await root.sh("command -v nc || echo none; command -v bash"), "none\n/usr/bin/bash");
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  try {
    const h = connectorHarness(host, connector, "/");
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    deepStrictEqual(outcome(await h.op("server.wait", { port, timeout: 5 })), [
      true,
      false,
      `ready: port ${port}`,
    ]);
    listener.close();
    await rejects(h.op("server.wait", { port, timeout: 1 }), {
      message: `server.wait: not ready on debian after 1 s: port ${port} does not accept`,
    });
  } finally {
    await connector.disconnect();
  }
});

Deno.test("server.wait refuses bad input with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [Record<string, unknown>, string][] = [
    [{}, "server.wait: expected at least one of port, path and command"],
    [{ port: 0 }, "server.wait port: expected a TCP port from 1 to 65535, got 0"],
    [{ port: "80" }, `server.wait: option "port" must be a number, got "80"`],
    [{ path: "-x" }, `server.wait path: a path must not start with "-", got "-x"`],
    [{ command: "" }, `server.wait command: expected shell text, got ""`],
    [
      { path: "/x", timeout: 0 },
      "server.wait timeout: expected a number of seconds above 0, got 0",
    ],
  ];
  for (const [options, message] of cases) {
    await t.step(message, async () => {
      await rejects(h.op("server.wait", options), { name: "InputError", message });
    });
  }
});
