/**
 * server.hostname and server.sysctl on the live kernel, through the real
 * CLI on @local inside private UTS, network and mount namespaces (root
 * only): the host name and `net.*` sysctl values are the namespace's own,
 * and /etc/hostname is a bind-mounted scratch file, so nothing of this
 * machine changes. `skiff deploy --dry` predicts, operation by operation
 * and diff by diff, what the real run then does, and the deploy's facts see
 * the predicted host name.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { RunEvent } from "../../lib/run/events.ts";
import { skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { requireRoot } from "../helpers/require.ts";
import { tempDir } from "../helpers/temp.ts";

const quote = (arg: string) => `'${arg.replaceAll("'", `'"'"'`)}'`;

Deno.test("server.hostname and server.sysctl: a dry run predicts the live kernel's changes in namespaces", async () => {
  requireRoot("unsharing UTS, network and mount namespaces");
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("hostname"), "old.example.com\n");
  const deploy = dir.join("kernel.ts");
  await Deno.writeTextFile(
    deploy,
    `export default async ({ ops, facts, log }) => {
  await ops.server.hostname("one.example.com");
  await ops.server.hostname("one.example.com");
  log("facts say " + await facts.server.hostname());
  await ops.server.hostname("two.example.com");
  const file = ${JSON.stringify(dir.join("sysctl.conf"))};
  await ops.server.sysctl("net.core.somaxconn", 1234, { persist: true, file });
  await ops.server.sysctl("net.core.somaxconn", 1234);
  await ops.server.sysctl("net.core.somaxconn", "4321", { persist: true, file });
};
`,
  );
  const skiff = (...flags: string[]) =>
    [Deno.execPath(), ...skiffArgs(["deploy", "@local", deploy, "--json", ...flags])]
      .map(quote).join(" ");
  const script = `hostname old.example.com && sysctl -qw net.core.somaxconn=4096 && ` +
    `mount --bind ${quote(dir.join("hostname"))} /etc/hostname && ` +
    `${skiff("--dry")} && echo ---- && ${skiff("-y")} && echo ---- && hostname && ` +
    `sysctl -n net.core.somaxconn`;
  const out = await new Deno.Command("unshare", {
    args: ["--uts", "--net", "--mount", "--propagation", "private", "sh", "-c", script],
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  strictEqual(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
  const [dry, real, after] = stdout.split("----\n");
  const events = (text: string) =>
    text.trim().split("\n").map((line) => JSON.parse(line) as RunEvent);
  const results = (text: string) =>
    events(text).flatMap((e) =>
      e.type === "op-result"
        ? [`${e.op} ${e.changed ? "changed" : "no change"}: ${e.description}\n${e.diff ?? ""}`]
        : []
    );
  const logs = (text: string) => events(text).flatMap((e) => e.type === "log" ? [e.message] : []);
  deepStrictEqual(results(dry), results(real));
  deepStrictEqual(results(real), [
    "server.hostname changed: hostname old.example.com -> one.example.com\n" +
    "hostname: old.example.com → one.example.com",
    "server.hostname no change: host name is one.example.com\n",
    "server.hostname changed: hostname one.example.com -> two.example.com\n" +
    "hostname: one.example.com → two.example.com",
    `server.sysctl changed: net.core.somaxconn 4096 -> 1234, created ${dir.path}/sysctl.conf\n` +
    `net.core.somaxconn: 4096 → 1234\n--- /dev/null\n+++ ${dir.path}/sysctl.conf\n` +
    "@@ -0,0 +1,1 @@\n+net.core.somaxconn = 1234",
    "server.sysctl no change: net.core.somaxconn is 1234\n",
    `server.sysctl changed: net.core.somaxconn 1234 -> 4321, edited ${dir.path}/sysctl.conf\n` +
    `net.core.somaxconn: 1234 → 4321\n--- ${dir.path}/sysctl.conf\n+++ ${dir.path}/sysctl.conf\n` +
    "@@ -1,1 +1,1 @@\n-net.core.somaxconn = 1234\n+net.core.somaxconn = 4321",
  ]);
  deepStrictEqual(logs(dry), ["facts say one.example.com"]);
  deepStrictEqual(logs(real), ["facts say one.example.com"]);
  strictEqual(after, "two.example.com\n4321\n");
  strictEqual(await Deno.readTextFile(dir.join("hostname")), "two.example.com\n");
});
