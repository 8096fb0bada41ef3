import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { runProcess } from "../../lib/process.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { runDeploys, type RunRequest } from "../../lib/run/runner.ts";
import { tempDir } from "../helpers/temp.ts";
import "../helpers/cli.ts"; // the test process's own run lock path

/** `names` as hosts reached through the local connector (one machine, several names). */
function localHosts(names: string[], data: (name: string) => Record<string, unknown> = () => ({})) {
  return names.map((name, i) => ({
    name,
    data: data(name),
    groups: ["all", i === 0 ? "leader" : "follower"],
    connector: LocalConnector,
  }));
}

async function runSource(
  source: string,
  names: string[],
  options: Partial<RunRequest> = {},
) {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("deploy.ts"), source);
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: { hosts: localHosts(names), config: {} },
    deployPaths: [dir.join("deploy.ts")],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: names.length,
    context: { runProcess },
    emit: (event) => events.push(event),
    ...options,
  });
  const logs = events.flatMap((e) => e.type === "log" ? [`${e.host} ${e.message}`] : []);
  return { outcome, events, logs };
}

const NAMES = ["h1", "h2", "h3", "h4", "h5"];

Deno.test("ctx.barrier() lets no host past before every host reached it", async () => {
  const { outcome, logs, events } = await runSource(
    `export default async function ({ host, log, barrier }) {
  await new Promise((r) => setTimeout(r, Number(host.name.slice(1)) * 30));
  log("before");
  await barrier("ready");
  log("after");
}
`,
    NAMES,
  );
  strictEqual(outcome.failed, 0);
  const lastBefore = logs.findLastIndex((line) => line.endsWith("before"));
  const firstAfter = logs.findIndex((line) => line.endsWith("after"));
  strictEqual(logs.length, 10);
  strictEqual(lastBefore < firstAfter, true, logs.join("\n"));
  deepStrictEqual(
    events.filter((e) => e.type === "barrier-wait").map((e) =>
      e.type === "barrier-wait" && e.arrived
    ),
    [1, 2, 3, 4, 5],
  );
  deepStrictEqual(
    events.filter((e) => e.type === "barrier-pass").map((e) =>
      e.type === "barrier-pass" && [e.barrier, e.hosts]
    ),
    [["ready", 5]],
  );
});

Deno.test("ctx.barrier() releases the others when a host fails before it", async () => {
  const { outcome, logs } = await runSource(
    `export default async function ({ host, log, barrier }) {
  if (host.name === "h2") throw new Error("broken before the barrier");
  await barrier("ready");
  log("after");
}
`,
    ["h1", "h2", "h3"],
  );
  deepStrictEqual(outcome.hosts.map((h) => h.ok), [true, false, true]);
  deepStrictEqual(logs.sort(), ["h1 after", "h3 after"]);
});

Deno.test("ctx.barrier() with --parallel below the batch waits only for started hosts", async () => {
  const { outcome, events } = await runSource(
    `export default async function ({ barrier }) {
  await barrier("ready");
}
`,
    NAMES,
    { parallel: 2 },
  );
  strictEqual(outcome.failed, 0);
  strictEqual(events.filter((e) => e.type === "barrier-pass").length >= 1, true);
});

Deno.test("ctx.runOnce() runs once on five hosts and every host sees its value", async () => {
  const { outcome, logs, events } = await runSource(
    `export default async function ({ host, log, runOnce }) {
  const value = await runOnce("token", async () => {
    log("computing");
    await new Promise((r) => setTimeout(r, 50));
    return { token: "t-" + host.name };
  });
  log("got " + value.token);
}
`,
    NAMES,
  );
  strictEqual(outcome.failed, 0);
  strictEqual(logs.filter((line) => line.endsWith("computing")).length, 1);
  const ranOn = logs.find((line) => line.endsWith("computing"))!.split(" ")[0];
  deepStrictEqual(
    logs.filter((line) => line.includes(" got ")).map((line) => line.split(" ").at(-1)),
    NAMES.map(() => `t-${ranOn}`),
  );
  deepStrictEqual(events.filter((e) => e.type === "run-once").length, 1);
});

Deno.test("ctx.runOnce() rejects every caller with the function's error", async () => {
  const { outcome } = await runSource(
    `export default async function ({ runOnce }) {
  await runOnce("boom", () => { throw new Error("migration failed"); });
}
`,
    ["h1", "h2", "h3"],
  );
  deepStrictEqual(
    outcome.hosts.map((h) => h.error?.replace(/ at .*$/, "")),
    NAMES.slice(0, 3).map(() => "deploy deploy threw migration failed"),
  );
});

Deno.test("_run_once runs an operation on one host; the others name that host", async () => {
  await using dir = await tempDir();
  const { outcome, events } = await runSource(
    `export default async function ({ ops }) {
  await ops.server.shell(["echo x >> ${dir.join("ran")}"], { _run_once: true });
}
`,
    NAMES,
  );
  strictEqual(outcome.failed, 0);
  strictEqual(await Deno.readTextFile(dir.join("ran")), "x\n");
  const results = events.flatMap((e) => e.type === "op-result" ? [e] : []);
  const ranOn = results.find((r) => r.changed)!.host;
  deepStrictEqual(
    results.filter((r) => !r.changed).map((r) => r.description),
    NAMES.slice(1).map(() => `ran once on ${ranOn}`),
  );
});

Deno.test("ctx.share() and ctx.shared() pass a value; a timeout and a failed sharer are errors", async (t) => {
  await t.step("the leader shares", async () => {
    const { outcome, logs } = await runSource(
      `export default async function ({ host, log, share, shared }) {
  if (host.groups.includes("leader")) {
    await new Promise((r) => setTimeout(r, 50));
    share("join", { token: "abc" });
  } else log("token " + (await shared("join")).token);
}
`,
      ["h1", "h2", "h3"],
    );
    strictEqual(outcome.failed, 0);
    deepStrictEqual(logs.sort(), ["h2 token abc", "h3 token abc"]);
  });
  await t.step("timeout", async () => {
    const { outcome } = await runSource(
      `export default async function ({ host, shared }) {
  if (host.name === "h2") await shared("never", { timeout: 0.2 });
  else await new Promise((r) => setTimeout(r, 600));
}
`,
      ["h1", "h2"],
    );
    deepStrictEqual(
      outcome.hosts.map((h) => h.error?.replace(/ at .*$/, "")),
      [undefined, 'deploy deploy threw No host shared "never" within 0.2 s'],
    );
  });
  await t.step("the sharer failed", async () => {
    const { outcome } = await runSource(
      `export default async function ({ host, share, shared }) {
  if (host.name === "h1") throw new Error("leader broke");
  await shared("join");
}
`,
      ["h1", "h2"],
    );
    deepStrictEqual(
      outcome.hosts.map((h) => h.error?.replace(/ at .*$/, "")),
      ["deploy deploy threw leader broke", 'deploy deploy threw No host shared "join": h1 failed'],
    );
  });
});

Deno.test("handlers notified three times run once at the end; not after a failure unless forced", async (t) => {
  await using dir = await tempDir();
  const source = (fail: boolean) =>
    `export default async function ({ ops, log, handler, notify }) {
  handler("first", () => log("first ran"));
  handler("reload", async () => { await ops.server.shell(["true"]); log("reload ran"); });
  await ops.files.directory("${dir.join("a")}", { _notify: "reload" });
  await ops.files.directory("${dir.join("b")}", { _notify: ["reload"] });
  await ops.files.directory("${dir.join("a")}", { _notify: "first" });
  notify("reload");
  log("deploy done");
  ${fail ? 'throw new Error("late failure");' : ""}
}
`;
  await t.step(
    "notified by two changed operations and ctx.notify, unchanged one ignored",
    async () => {
      const { outcome, logs, events } = await runSource(source(false), ["h1"]);
      strictEqual(outcome.failed, 0);
      deepStrictEqual(logs, ["h1 deploy done", "h1 reload ran"]);
      deepStrictEqual(
        events.flatMap((e) => e.type === "handler-run" ? [e.handler] : []),
        ["reload"],
      );
    },
  );
  await t.step(
    "flushHandlers() runs them early, and the end of the deploy does not again",
    async () => {
      const { logs } = await runSource(
        `export default async function ({ log, handler, notify, flushHandlers }) {
  handler("reload", () => log("reload ran"));
  notify("reload");
  notify("reload");
  await flushHandlers();
  log("after flush");
}
`,
        ["h1"],
      );
      deepStrictEqual(logs, ["h1 reload ran", "h1 after flush"]);
    },
  );
  await t.step("skipped on a failed host", async () => {
    await Deno.remove(dir.join("a"));
    const failed = await runSource(source(true), ["h1"]);
    strictEqual(failed.outcome.failed, 1);
    deepStrictEqual(failed.logs, ["h1 deploy done"]);
  });
  await t.step("run on a failed host with --force-handlers", async () => {
    await Deno.remove(dir.join("a"));
    const forced = await runSource(source(true), ["h1"], { forceHandlers: true });
    strictEqual(forced.outcome.failed, 1);
    deepStrictEqual(forced.logs, ["h1 deploy done", "h1 reload ran"]);
  });
  await t.step("in a dry run, handlers run as dry runs", async () => {
    await Deno.remove(dir.join("a"));
    const dry = await runSource(source(false), ["h1"], { dryRun: true });
    // The dry run knows the first operation would have made a: the third changes nothing, as
    // in the real run, so "first" is not notified.
    deepStrictEqual(dry.logs, ["h1 deploy done", "h1 reload ran"]);
    await Deno.stat(dir.join("a")).then(() => {
      throw new Error("a dry run created a directory");
    }, () => {});
  });
});

Deno.test("ctx.inventory shows every host, other hosts' secrets masked and unusable", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ host, inventory, log, sh, ops }) {
  const other = inventory.hosts.find((h) => h.name !== host.name);
  log(inventory.group("leader").map((h) => h.name).join() + " " + String(other.data.pw));
  const own = inventory.hosts.find((h) => h.name === host.name);
  log("own " + own.data.pw.reveal().length);
  try { sh\`echo \${other.data.pw}\`; } catch (e) { log(e.message); }
  try { await ops.server.shell(["true"], { _env: { PW: other.data.pw } }); } catch (e) { log(e.message); }
}
`,
  );
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: {
      hosts: localHosts(["h1", "h2"], (name) => ({ pw: new SecretValue(`secret-of-${name}`) })),
      config: {},
    },
    deployPaths: [dir.join("deploy.ts")],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: 2,
    context: { runProcess },
    emit: (event) => events.push(event),
  });
  strictEqual(outcome.failed, 0);
  deepStrictEqual(
    events.flatMap((e) => e.type === "log" && e.host === "h2" ? [e.message] : []),
    [
      "h1 ***",
      "own 12",
      'Cannot use a secret of host "h1" in a command on another host',
      'Cannot use a secret of host "h1" on another host',
    ],
  );
});

Deno.test("--serial 1 runs hosts one at a time; 40% makes batches of two", async (t) => {
  const source = `export default async function ({ log }) {
  log("start " + Date.now());
  await new Promise((r) => setTimeout(r, 60));
  log("end " + Date.now());
}
`;
  await t.step("serial 1", async () => {
    const { outcome, logs, events } = await runSource(source, ["h1", "h2", "h3"], { serial: 1 });
    strictEqual(outcome.failed, 0);
    deepStrictEqual(logs.map((line) => line.split(" ").slice(0, 2).join(" ")), [
      "h1 start",
      "h1 end",
      "h2 start",
      "h2 end",
      "h3 start",
      "h3 end",
    ]);
    deepStrictEqual(outcome.hosts.map((h) => h.batch), [0, 1, 2]);
    strictEqual(events.filter((e) => e.type === "batch-start").length, 3);
  });
  await t.step("serial 40%", async () => {
    const { events } = await runSource(source, NAMES, { serial: "40%" });
    deepStrictEqual(
      events.flatMap((e) => e.type === "batch-start" ? [e.hosts] : []),
      [["h1", "h2"], ["h3", "h4"], ["h5"]],
    );
  });
});

Deno.test("--fail-percent stops the next batch", async () => {
  const { outcome } = await runSource(
    `export default async function ({ host }) {
  if (host.name === "h2") throw new Error("down");
}
`,
    ["h1", "h2", "h3", "h4"],
    { serial: 2, failPercent: 40 },
  );
  deepStrictEqual(outcome.hosts.map((h) => h.error?.replace(/ at .*$/, "")), [
    undefined,
    "deploy deploy threw down",
    "not started: more than 40% of batch 1 failed",
    "not started: more than 40% of batch 1 failed",
  ]);
});

Deno.test("--strategy linear runs each operation on every host before the next", async () => {
  const source = `export default async function ({ host, ops }) {
  const slow = host.name === "h1" ? "sleep 0.2" : "true";
  await ops.server.shell([slow]);
  await ops.server.shell(["true"]);
  await ops.server.shell(["true"]);
}
`;
  const order = (events: RunEvent[]) =>
    events.flatMap((e) => e.type === "op-start" ? [e.host] : []);
  const linear = await runSource(source, ["h1", "h2", "h3"], { strategy: "linear" });
  strictEqual(linear.outcome.failed, 0);
  const starts = order(linear.events);
  // Every host's n-th operation starts before any host's (n+1)-th.
  for (let step = 0; step < 3; step++) {
    deepStrictEqual(starts.slice(step * 3, step * 3 + 3).sort(), ["h1", "h2", "h3"]);
  }
  const free = await runSource(source, ["h1", "h2", "h3"]);
  deepStrictEqual(order(free.events).slice(-2), ["h1", "h1"]);
});

Deno.test("--strategy linear: a host waits for the others to finish the earlier deploy", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("a.ts"),
    `export default async function ({ host, ops }) {
  const steps = host.name === "h2" ? 3 : 1;
  for (let i = 0; i < steps; i++) await ops.server.shell(["sleep 0.05"]);
}
`,
  );
  await Deno.writeTextFile(
    dir.join("b.ts"),
    `export default async function ({ ops }) { await ops.server.shell(["true"]); }\n`,
  );
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: { hosts: localHosts(["h1", "h2"]), config: {} },
    deployPaths: [dir.join("a.ts"), dir.join("b.ts")],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: 2,
    strategy: "linear",
    context: { runProcess },
    emit: (event) => events.push(event),
  });
  strictEqual(outcome.failed, 0);
  const starts = events.flatMap((e) => e.type === "op-start" ? [`${e.host} ${e.subject}`] : []);
  strictEqual(starts.indexOf("h1 true") > starts.lastIndexOf("h2 sleep 0.05"), true, starts.join());
});
