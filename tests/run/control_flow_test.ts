import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { builtinRegistry } from "../../connectors/builtin.ts";
import { inventoryFromNames } from "../../lib/inventory/inventory.ts";
import { runProcess } from "../../lib/process.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { runDeploys } from "../../lib/run/runner.ts";
import { tempDir } from "../helpers/temp.ts";
import "../helpers/cli.ts"; // the test process's own run lock path

/** Runs one deploy source against @local; returns the events and the deploy's log lines. */
async function runLocal(dir: string, source: string) {
  const deploy = `${dir}/deploy.ts`;
  await Deno.writeTextFile(deploy, source);
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: await inventoryFromNames("@local", builtinRegistry()),
    deployPaths: [deploy],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: 1,
    context: { runProcess },
    emit: (event) => events.push(event),
  });
  const results = events.flatMap((e) =>
    e.type === "op-result" ? [`${e.subject}: ${e.skipped ? "skipped" : e.description}`] : []
  );
  const logs = events.flatMap((e) => e.type === "log" ? [e.message] : []);
  return { outcome, results, logs };
}

Deno.test("_if skips or runs an operation, as a value, a function of the deploy's, or a list of both", async () => {
  await using dir = await tempDir();
  const { outcome, results } = await runLocal(
    dir.path,
    `export default async ({ ops }) => {
  await ops.server.shell("echo a", { _if: false });
  await ops.server.shell("echo b", { _if: true });
  await ops.server.shell("echo c", { _if: () => false });
  await ops.server.shell("echo d", { _if: async () => 1 + 1 === 2 });
  await ops.server.shell("echo e", { _if: 0 });
  await ops.server.shell("echo f", { _if: [true, () => true, async () => false] });
  await ops.server.shell("echo g", { _if: [true, () => true] });
};
`,
  );
  strictEqual(outcome.failed, 0, JSON.stringify(outcome.hosts));
  deepStrictEqual(results, [
    "echo a: skipped",
    "echo b: ran: echo b",
    "echo c: skipped",
    "echo d: ran: echo d",
    "echo e: skipped",
    "echo f: skipped",
    "echo g: ran: echo g",
  ]);
  deepStrictEqual(outcome.hosts[0].counts, { ok: 0, changed: 3, failed: 0, skipped: 4 });
});

Deno.test("_retries and _retry_until retry a command, once per attempt, in one place", async (t) => {
  await using dir = await tempDir();
  await t.step("_retries: an operation failing twice succeeds on the third attempt", async () => {
    const counter = `${dir.path}/count1`;
    const { outcome, results } = await runLocal(
      dir.path,
      `export default async ({ ops, log }) => {
  const r = await ops.server.shell(${
        JSON.stringify(`echo x >>${counter}; test $(wc -l <${counter}) -ge 3`)
      }, { _retries: 2, _retry_delay: 0 });
  log("success=" + r.success);
};
`,
    );
    strictEqual(outcome.failed, 0, JSON.stringify(outcome.hosts));
    strictEqual(results.length, 1);
    strictEqual(await Deno.readTextFile(counter), "x\nx\nx\n");
  });
  await t.step(
    "_retry_until: true means retry again (pyinfra's meaning); it sees each attempt",
    async () => {
      const counter = `${dir.path}/count2`;
      const { outcome, logs } = await runLocal(
        dir.path,
        `export default async ({ ops, log }) => {
  const seen = [];
  await ops.server.shell(${JSON.stringify(`echo x >>${counter}; wc -l <${counter}`)}, {
    _retries: 5,
    _retry_delay: 0,
    _retry_until: (r) => { seen.push(r.stdoutLines.join("|")); return r.stdout.trim() !== "3"; },
  });
  log("seen=" + seen.join(","));
};
`,
      );
      strictEqual(outcome.failed, 0, JSON.stringify(outcome.hosts));
      deepStrictEqual(logs, [
        "retrying server.shell (1 of 5) in 0 s",
        "retrying server.shell (2 of 5) in 0 s",
        "seen=1,2,3",
      ]);
      strictEqual(await Deno.readTextFile(counter), "x\nx\nx\n");
    },
  );
  await t.step("no retries: a failing command is tried exactly once", async () => {
    const counter = `${dir.path}/count3`;
    const { outcome } = await runLocal(
      dir.path,
      `export default async ({ ops }) => {
  await ops.server.shell(${JSON.stringify(`echo x >>${counter}; false`)});
};
`,
    );
    strictEqual(outcome.failed, 1);
    strictEqual(await Deno.readTextFile(counter), "x\n");
  });
});
