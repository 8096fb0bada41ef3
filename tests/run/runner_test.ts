import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes, assertStartsWith } from "../helpers/assert_text.ts";
import { builtinRegistry } from "../../connectors/builtin.ts";
import { inventoryFromNames } from "../../lib/inventory/inventory.ts";
import { LocalConnector } from "../../connectors/local.ts";
import { runProcess } from "../../lib/process.ts";
import type { RunEvent } from "../../lib/run/events.ts";
import { runDeploys } from "../../lib/run/runner.ts";
import { buildBusyboxTree } from "../helpers/targets.ts";
import { tempDir } from "../helpers/temp.ts";
import "../helpers/cli.ts"; // the test process's own run lock path

Deno.test("runDeploys() keeps going on other hosts when one throws and one cannot be reached", async () => {
  await using tree = await tempDir("skiff-runner-tree-");
  await using dir = await tempDir();
  await buildBusyboxTree(tree.path);
  const deploy = dir.join("mixed.ts");
  await Deno.writeTextFile(
    deploy,
    `export default async function ({ host, ops }) {
  await ops.files.directory("/tmp/skiff-runner-" + (host.name === "@local" ? ${
      JSON.stringify(dir.path.slice(5))
    } : "x"));
  if (host.name === "@local") throw new Error("only here");
  await ops.server.shell(["echo done", "echo twice"]);
}
`,
  );
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: await inventoryFromNames(
      `@local,@chroot${tree.path},@chroot/nonexistent-skiff`,
      builtinRegistry(),
    ),
    deployPaths: [deploy],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: 3,
    context: { runProcess },
    emit: (event) => events.push(event),
  });
  await Deno.remove(`/tmp/skiff-runner-${dir.path.slice(5)}`, { recursive: true }).catch(() => {});
  strictEqual(outcome.failed, 2, JSON.stringify(outcome.hosts, null, 1));
  const byHost = Object.fromEntries(outcome.hosts.map((h) => [h.host, h]));
  deepStrictEqual(byHost[`@chroot${tree.path}`].counts, {
    ok: 0,
    changed: 2,
    failed: 0,
    skipped: 0,
  });
  strictEqual(byHost[`@chroot${tree.path}`].ok, true);
  strictEqual(byHost["@local"].ok, false);
  strictEqual(byHost["@local"].error, `deploy mixed threw only here at ${deploy}:3:37`);
  assertStartsWith(byHost["@chroot/nonexistent-skiff"].error, "could not connect: ");
  strictEqual(events.filter((e) => e.type === "host-connect-failed").length, 1);
  const shell = events.find((e) => e.type === "op-result" && e.op === "server.shell");
  deepStrictEqual(
    shell?.type === "op-result" && [shell.host, shell.subject, shell.description],
    [`@chroot${tree.path}`, "echo done (+1 more)", "ran 2 commands"],
  );
  strictEqual(events.at(-1)?.type, "summary");
});

Deno.test("runDeploys() honours restrictions and reports them as skipped", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("web.ts"),
    `export default async ({ ops }) => { await ops.server.shell(["true"]); };\n`,
  );
  await Deno.writeTextFile(
    dir.join("db.ts"),
    `export const name = "database";\nexport default async ({ ops }) => { await ops.server.shell(["true"]); };\n`,
  );
  const events: RunEvent[] = [];
  const outcome = await runDeploys({
    inventory: {
      hosts: [{ name: "@local", data: {}, groups: ["all"], connector: LocalConnector }],
      config: {},
      restrictions: { allow_list: { "@local": { web: true } } },
    },
    deployPaths: [dir.join("web.ts"), dir.join("db.ts")],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: 1,
    context: { runProcess },
    emit: (event) => events.push(event),
  });
  deepStrictEqual(outcome.hosts[0].counts, { ok: 0, changed: 1, failed: 0, skipped: 1 });
  deepStrictEqual(events.filter((e) => e.type === "deploy-skipped"), [
    {
      type: "deploy-skipped",
      host: "@local",
      deploy: "database",
      reason: "database is not in the allow list of @local",
    },
  ]);
});

Deno.test("runDeploys() stops starting hosts beyond --fail-percent", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("d.ts"), `export default async () => {};\n`);
  const { hosts } = await inventoryFromNames(
    "@chroot/none-1,@chroot/none-2,@chroot/none-3,@chroot/none-4",
    builtinRegistry(),
  );
  const outcome = await runDeploys({
    inventory: { hosts, config: {} },
    deployPaths: [dir.join("d.ts")],
    cliArguments: {},
    dryRun: false,
    wantDiff: false,
    parallel: 1,
    failPercent: 25,
    context: { runProcess },
    emit: () => {},
  });
  deepStrictEqual(outcome.hosts.map((h) => h.error?.split(":")[0]), [
    "could not connect",
    "could not connect",
    "not started",
    "not started",
  ]);
});

Deno.test("secrets never appear in output, JSON events or any process's argv", async () => {
  await using dir = await tempDir();
  const value = `hunter2-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeTextFile(
    dir.join("secret.ts"),
    `export default async function ({ ops, sh, secret, log }) {
  const pw = secret(${JSON.stringify(value)});
  await ops.server.shell([sh\`printf '%s\\\\n' \${pw}; sleep 0.5\`]);
  log("password is " + pw);
}
`,
  );
  const events: RunEvent[] = [];
  let argvSeen = "";
  const watcher = (async () => {
    for (let i = 0; i < 20; i++) {
      argvSeen += new TextDecoder().decode(
        (await new Deno.Command("ps", { args: ["-eo", "args"] }).output()).stdout,
      );
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await runDeploys({
    inventory: {
      hosts: [{ name: "@local", data: {}, groups: [], connector: LocalConnector }],
      config: {},
    },
    deployPaths: [dir.join("secret.ts")],
    cliArguments: {},
    dryRun: false,
    wantDiff: true,
    parallel: 1,
    context: { runProcess },
    emit: (event) => events.push(event),
  });
  await watcher;
  const json = events.map((e) => JSON.stringify(e)).join("\n");
  assertExcludes(json, value);
  assertExcludes(argvSeen, value);
  assertIncludes(argvSeen, "SKIFF_SECRET_0", "the command ran while ps watched");
  deepStrictEqual(
    events.filter((e) => e.type === "output").map((e) => e.type === "output" && e.line),
    ["***"],
  );
  deepStrictEqual(
    events.filter((e) => e.type === "log").map((e) => e.type === "log" && e.message),
    ["password is ***"],
  );
});
