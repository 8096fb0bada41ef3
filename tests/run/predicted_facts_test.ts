/**
 * Facts a deploy reads in a dry run see what the earlier operations would
 * have done: the same values the real run's facts then have. A fact the dry
 * run cannot predict is reported once, in a log line, and the operations
 * after it are reported as depending on an earlier change. Through the real
 * runner and sandboxed deploys, on @local and on a Debian tree.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { LocalConnector } from "../../connectors/local.ts";
import type { ConnectorClass } from "../../connectors/base.ts";
import { defaultRunLock } from "../../lib/run/_host_lock.ts";
import { runProcess } from "../../lib/process.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { runDeploys } from "../../lib/run/runner.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { tempDir } from "../helpers/temp.ts";

/** Runs a deploy's source on one host, dry or not; returns its logs and op outcomes. */
async function run(
  source: string,
  host: { name: string; data: Record<string, unknown>; connector: ConnectorClass },
  dryRun: boolean,
): Promise<{ logs: string[]; ops: string[] }> {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("deploy.ts"), source);
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: { hosts: [{ ...host, groups: ["all"] }], config: {} },
    deployPaths: [dir.join("deploy.ts")],
    cliArguments: {},
    dryRun,
    wantDiff: false,
    parallel: 1,
    context: { runProcess },
    emit: (event) => events.push(event),
    runLock: { ...defaultRunLock(runProcess), path: `/tmp/skiff-run.lock.facts-${Deno.pid}` },
  });
  strictEqual(outcome.failed, 0, outcome.hosts[0].error);
  return {
    logs: events.flatMap((e) => e.type === "log" ? [e.message] : []),
    ops: events.flatMap((e) =>
      e.type === "op-result"
        ? [`${e.op}: ${e.changed ? "changed" : "no change"} (${e.description})`]
        : []
    ),
  };
}

Deno.test("files and server facts in a dry run read through what earlier operations would have done", async () => {
  await using dir = await tempDir();
  const d = dir.join("app");
  const source = `export default async function ({ ops, facts, log }) {
  const show = (value) => log(JSON.stringify(value));
  show(await facts.files.stat(${JSON.stringify(d)}));
  await ops.files.directory(${JSON.stringify(d)});
  await ops.files.put({ content: "port=8080\\n" }, ${JSON.stringify(`${d}/app.conf`)});
  show(await facts.files.sha256(${JSON.stringify(`${d}/app.conf`)}));
  show(await facts.files.stat(${JSON.stringify(`${d}/missing`)}));
  show((await facts.server.os()).id !== "");
  show(await facts.server.which("sh"));
  await ops.files.file(${JSON.stringify(`${d}/app.conf`)});
  show((await facts.files.stat(${JSON.stringify(d)}))?.type);
  await ops.files.file(${JSON.stringify(`${d}/app.conf`)});
}
`;
  const host = { name: "@local", data: {}, connector: LocalConnector as ConnectorClass };
  const dry = await run(source, host, true);
  const real = await run(source, host, false);
  const shown = (logs: string[]) => logs.filter((line) => !line.startsWith("fact "));
  deepStrictEqual(shown(dry.logs).slice(0, 5), shown(real.logs).slice(0, 5));
  strictEqual(shown(real.logs)[0], "null");
  strictEqual(shown(real.logs)[2], "null");
  strictEqual(shown(real.logs)[5], '"directory"');
  // The stat of a directory the dry run would make: its mtime cannot be predicted.
  deepStrictEqual(dry.logs.filter((line) => line.startsWith("fact ")), [
    `fact files.stat("${d}") is unknown in this dry run after files.directory ${d}: the host's current value is used, and the operations after it are reported as depending on an earlier change`,
  ]);
  strictEqual(shown(dry.logs)[5], "undefined");
  deepStrictEqual(real.ops.slice(0, 3).map((op) => op.split(":")[1].trim().split(" (")[0]), [
    "changed",
    "changed",
    "no change",
  ]);
  deepStrictEqual(dry.ops.slice(0, 3), real.ops.slice(0, 3));
  deepStrictEqual(dry.ops[3], "files.file: changed (depends on an earlier change)");
  deepStrictEqual(real.ops[3], `files.file: no change (${d}/app.conf is as wanted)`);
});

Deno.test("account, package and service facts in a dry run on a Debian tree are the real run's", async () => {
  await using root = await debianRoot();
  const init = `#!/bin/sh
### BEGIN INIT INFO
# Provides:          skiff-sleeper
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
### END INIT INFO
PID=/run/skiff-sleeper.pid
running() { [ -f $PID ] && kill -0 "$(cat $PID)" 2>/dev/null; }
case "$1" in
  start) running && exit 0; setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! >$PID ;;
  stop) running && kill "$(cat $PID)"; rm -f $PID ;;
  status) running || exit 3 ;;
esac
`;
  const source = `export default async function ({ ops, facts, log }) {
  const show = (value) => log(JSON.stringify(value));
  await ops.server.group("site");
  await ops.server.user("deploy", { shell: "/bin/sh", groups: ["site"] });
  show((await facts.server.groups()).site);
  show((await facts.server.users()).deploy);
  await ops.apt.packages(["hello"], { noRecommends: true });
  show((await facts.packages.deb()).hello);
  await ops.files.put({ content: ${
    JSON.stringify(init)
  } }, "/etc/init.d/skiff-sleeper", { mode: "755" });
  await ops.systemd.service("skiff-sleeper", { running: true, enabled: true });
  const service = await facts.systemd.service("skiff-sleeper");
  show([service.active, service.enabled, service.enabledState, service.initScript]);
}
`;
  const host = {
    name: "debian",
    data: { chroot_directory: root.path },
    connector: ChrootConnector as ConnectorClass,
  };
  const dry = await run(source, host, true);
  const real = await run(source, host, false);
  deepStrictEqual(dry.logs, real.logs);
  deepStrictEqual(real.logs.slice(0, 2), [
    '{"gid":1000,"members":["deploy"]}',
    '{"uid":1000,"gid":1001,"home":"/home/deploy","shell":"/bin/sh","groups":["deploy","site"]}',
  ]);
  strictEqual(real.logs[3], `[true,true,"enabled",true]`);
  deepStrictEqual(dry.ops.map((op) => op.split(" (")[0]), real.ops.map((op) => op.split(" (")[0]));
});

Deno.test("a real run gathers facts again after a change, but the machine's own", async () => {
  await using dir = await tempDir();
  const f = dir.join("f");
  await Deno.writeTextFile(f, "a\n");
  const source = `export default async function ({ ops, facts, log }) {
  log((await facts.server.command(${JSON.stringify(`cat ${f}`)})).trim());
  await ops.server.shell(${JSON.stringify(`echo b > ${f}`)});
  log((await facts.server.command(${JSON.stringify(`cat ${f}`)})).trim());
  await ops.files.line(${JSON.stringify(f)}, "c");
  log((await facts.server.command(${JSON.stringify(`cat ${f}`)})).trim().replace("\\n", " "));
}
`;
  const host = { name: "@local", data: {}, connector: LocalConnector as ConnectorClass };
  const real = await run(source, host, false);
  deepStrictEqual(real.logs, ["a", "b", "b c"]);
  await Deno.writeTextFile(f, "a\n");
  const dry = await run(source, host, true);
  // The dry run knows it cannot know: the host's value, said once, and what follows depends on it.
  deepStrictEqual(dry.logs.filter((line) => !line.startsWith("fact ")), ["a", "a", "a"]);
  deepStrictEqual(dry.ops, [
    `server.shell: changed (would run: echo b > ${f})`,
    "files.line: changed (depends on an earlier change)",
  ]);
});

Deno.test("a deploy's own operation is opaque to a dry run: what follows it depends on it", async () => {
  await using dir = await tempDir();
  const f = dir.join("f");
  const source = `export default async function ({ ops, defineOperation }) {
  const write = defineOperation("app.write", async ({ sh }, file) =>
    ({ commands: [sh\`echo a > \${file}\`], description: "wrote " + file }));
  await write(${JSON.stringify(f)});
  await ops.files.line(${JSON.stringify(f)}, "b");
  await ops.files.directory(${JSON.stringify(dir.join("d"))});
}
`;
  const host = { name: "@local", data: {}, connector: LocalConnector as ConnectorClass };
  const dry = await run(source, host, true);
  const real = await run(source, host, false);
  deepStrictEqual(dry.ops, [
    `app.write: changed (wrote ${f})`,
    "files.line: changed (depends on an earlier change)",
    "files.directory: changed (depends on an earlier change)",
  ]);
  deepStrictEqual(real.ops, [
    `app.write: changed (wrote ${f})`,
    `files.line: changed (edited ${f})`,
    `files.directory: changed (created ${dir.join("d")})`,
  ]);
});
