import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { type CliRun, runSkiff } from "../helpers/cli.ts";
import { sshFleet } from "../helpers/ssh_fleet.ts";
import { type TempDir, tempDir } from "../helpers/temp.ts";

const HOSTS = ["web1", "web2", "web3"];

/**
 * A deploy of three operations on each host's `app_root`: a directory (a
 * change), a line already there (no change) and a file from a local
 * template (a change).
 */
const DEPLOY = `export default async function ({ host, ops }) {
  const root = String(host.data.app_root);
  await ops.files.directory(root + "/conf.d", { mode: "755" });
  await ops.files.line(root + "/app.conf", "listen=8080");
  await ops.files.template("extra.conf.j2", root + "/conf.d/extra.conf", { mode: "644" });
}
`;

/** Writes the deploy, its template and each host's root (writable by the ssh test user). */
async function setUp(dir: TempDir): Promise<void> {
  await Deno.chmod(dir.path, 0o777);
  await Deno.writeTextFile(dir.join("deploy.ts"), DEPLOY);
  await Deno.writeTextFile(
    dir.join("extra.conf.j2"),
    "# {{ host.name }}\nworkers={{ workers | default(2) }}\n",
  );
  for (const host of HOSTS) {
    await Deno.mkdir(dir.join(host), { mode: 0o777 });
    await Deno.chmod(dir.join(host), 0o777);
    await Deno.writeTextFile(dir.join(host, "app.conf"), "name=app\nlisten=8080\n");
    await Deno.chmod(dir.join(host, "app.conf"), 0o666);
  }
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

function eventsOf(run: CliRun): Record<string, unknown>[] {
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line));
}

/** The per-host rows of the summary table, seconds left out. */
function hostRows(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /^web\d /.test(line)).map((line) =>
    line.replace(/\s+\S+$/, "")
  );
}

Deno.test("skiff deploy --plan, plan show, apply: the plan round trip over three sshd hosts", async () => {
  await using fleet = await sshFleet(3, HOSTS);
  await using dir = await tempDir();
  await setUp(dir);
  const path = await fleet.write(dir.path, "", (name) => ({ app_root: dir.join(name) }));
  const planFile = dir.join("release.plan.json");
  const made = await runSkiff(["deploy", path, dir.join("deploy.ts"), "--plan", planFile]);
  strictEqual(made.code, 0, made.stdout + made.stderr);
  const written = `Plan written to ${planFile}: apply it with skiff apply ${planFile}\n`;
  assertIncludes(made.stdout, `[web2] files.directory ${dir.join("web2")}/conf.d: would change`);
  strictEqual(made.stdout.endsWith(written), true, made.stdout);
  strictEqual((await Deno.stat(planFile)).mode! & 0o777, 0o600);
  // Nothing was changed by making the plan, and no temporary file is left beside it.
  strictEqual(await exists(dir.join("web1", "conf.d")), false);
  deepStrictEqual(
    [...Deno.readDirSync(dir.path)].map((e) => e.name).filter((n) => n.includes("plan")),
    ["release.plan.json"],
  );

  const plan = JSON.parse(await Deno.readTextFile(planFile));
  deepStrictEqual([plan.format, plan.version], ["skiff-plan", 1]);
  deepStrictEqual(
    plan.hosts.map((
      h: { name: string; operations: { index: number; op: string; outcome: string }[] },
    ) => [h.name, h.operations.map((o) => `${o.index} ${o.op} ${o.outcome}`)]),
    HOSTS.map((name) => [name, [
      "0 files.directory change",
      "1 files.line no change",
      "2 files.template change",
    ]]),
  );
  deepStrictEqual(
    plan.files.map((f: { path: string; role: string }) => `${f.role} ${f.path}`),
    [`deploy ${dir.join("deploy.ts")}`, `fleet ${path}`, `source ${dir.join("extra.conf.j2")}`],
  );

  const shown = await runSkiff(["plan", "show", planFile]);
  strictEqual(shown.code, 0, shown.stderr);
  strictEqual(shown.stdout + written, made.stdout);

  const applied = await runSkiff(["apply", planFile, "--json"]);
  strictEqual(applied.code, 0, applied.stdout + applied.stderr);
  const results = eventsOf(applied).filter((e) => e.type === "op-result");
  // Each operation event names its place in the plan.
  for (const event of results) {
    const planned = plan.hosts.find((h: { name: string }) => h.name === event.host)
      .operations[event.index as number];
    deepStrictEqual([event.op, event.subject], [planned.op, planned.subject]);
  }
  deepStrictEqual(
    results.map((e) => `${e.host} ${e.index} ${e.changed}`).sort(),
    HOSTS.flatMap((h) => [`${h} 0 true`, `${h} 1 false`, `${h} 2 true`]),
  );
  strictEqual(
    await Deno.readTextFile(dir.join("web3", "conf.d", "extra.conf")),
    "# web3\nworkers=2\n",
  );

  // A fresh plan finds nothing to do.
  const again = await runSkiff(["deploy", path, dir.join("deploy.ts"), "--plan", planFile]);
  strictEqual(again.code, 0, again.stdout + again.stderr);
  deepStrictEqual(hostRows(again.stdout), [
    "web1  ok            0          3       0        0",
    "web2  ok            0          3       0        0",
    "web3  ok            0          3       0        0",
  ]);
  const fresh = JSON.parse(await Deno.readTextFile(planFile));
  deepStrictEqual(
    fresh.hosts.flatMap((h: { operations: { outcome: string }[] }) =>
      h.operations.map((o) => o.outcome)
    ),
    Array(9).fill("no change"),
  );

  // The first plan applied a second time finds everything as it wanted: nothing to do.
  await Deno.writeTextFile(dir.join("first.plan.json"), JSON.stringify(plan), { mode: 0o600 });
  const twice = await runSkiff(["apply", dir.join("first.plan.json")]);
  strictEqual(twice.code, 0, twice.stdout + twice.stderr);
  deepStrictEqual(hostRows(twice.stdout), [
    "web1  ok            0          3       0        0",
    "web2  ok            0          3       0        0",
    "web3  ok            0          3       0        0",
  ]);
});

Deno.test("skiff apply stops the one host that drifted, applies the others, exits 1", async () => {
  await using fleet = await sshFleet(3, HOSTS);
  await using dir = await tempDir();
  await setUp(dir);
  const path = await fleet.write(dir.path, "", (name) => ({ app_root: dir.join(name) }));
  const planFile = dir.join("p.json");
  const made = await runSkiff(["deploy", path, dir.join("deploy.ts"), "--plan", planFile]);
  strictEqual(made.code, 0, made.stdout + made.stderr);
  // Someone edits web2 between the plan and the apply.
  await Deno.writeTextFile(dir.join("web2", "app.conf"), "name=app\nlisten=9090\n");

  const applied = await runSkiff(["apply", planFile]);
  strictEqual(applied.code, 1, applied.stdout + applied.stderr);
  const conf = dir.join("web2", "app.conf");
  assertIncludes(
    applied.stdout,
    `\n[web2] drift on web2: files.line ${conf} was planned as no change, now would change\n`,
  );
  assertExcludes(applied.stdout, "[web2] failed:");
  deepStrictEqual(hostRows(applied.stdout), [
    "web1  ok            2          1       0        0",
    "web2  failed        1          0       1        0",
    "web3  ok            2          1       0        0",
  ]);
  // web2 did its first operation, nothing of the drifted one, nothing after it.
  strictEqual(await Deno.readTextFile(conf), "name=app\nlisten=9090\n");
  strictEqual(await exists(dir.join("web2", "conf.d")), true);
  strictEqual(await exists(dir.join("web2", "conf.d", "extra.conf")), false);
  for (const host of ["web1", "web3"]) {
    strictEqual(await exists(dir.join(host, "conf.d", "extra.conf")), true, host);
  }

  const json = await runSkiff(["apply", planFile, "--json"]);
  strictEqual(json.code, 1);
  const drift = eventsOf(json).filter((e) => e.type === "op-result" && e.drift === true);
  deepStrictEqual(drift.map((e) => [e.host, e.index, e.op, e.success, e.error]), [
    [
      "web2",
      1,
      "files.line",
      false,
      `drift on web2: files.line ${conf} was planned as no change, now would change`,
    ],
  ]);
});

Deno.test("skiff apply refuses a plan whose deploy, module, source or fleet changed (exit 2, names the file)", async (t) => {
  await using fleet = await sshFleet(1, ["web1"]);
  await using dir = await tempDir();
  await setUp(dir);
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `import { confName } from "./lib/names.ts";\n${
      DEPLOY.replace('"/conf.d/extra.conf"', "`/conf.d/${confName}`")
    }`,
  );
  await Deno.writeTextFile(dir.join("extra.conf.j2"), '{% include "part.j2" %}\n');
  await Deno.writeTextFile(dir.join("part.j2"), "workers=2\n");
  await Deno.mkdir(dir.join("lib"));
  await Deno.writeTextFile(dir.join("lib", "names.ts"), `export const confName = "extra.conf";\n`);
  const path = await fleet.write(dir.path, "", (name) => ({ app_root: dir.join(name) }));
  const planFile = dir.join("p.json");
  const plan = async () => {
    const made = await runSkiff(["deploy", path, dir.join("deploy.ts"), "--plan", planFile]);
    strictEqual(made.code, 0, made.stdout + made.stderr);
  };
  const refused = async (what: string) => {
    const run = await runSkiff(["apply", planFile]);
    deepStrictEqual(
      [run.code, run.stdout, run.stderr],
      [
        2,
        "",
        `error: Plan ${planFile} cannot be applied: ${what} changed since the plan was made: make the plan again\n`,
      ],
    );
    strictEqual(await exists(dir.join("web1", "conf.d")), false, "nothing was applied");
  };
  const edits: [string, string, string][] = [
    ["the deploy", "deploy.ts", "deploy"],
    ["a module the deploy imports", "lib/names.ts", "module"],
    ["a template an operation read", "extra.conf.j2", "local source"],
    ["a template's include", "part.j2", "local source"],
    ["the fleet file", "fleet.yml", "fleet file"],
  ];
  for (const [name, file, role] of edits) {
    await t.step(name, async () => {
      await plan();
      const before = await Deno.readTextFile(dir.join(file));
      await Deno.writeTextFile(dir.join(file), before + "\n");
      try {
        await refused(`${role} ${dir.join(file)}`);
      } finally {
        await Deno.writeTextFile(dir.join(file), before);
      }
    });
  }
  await t.step("unchanged, it applies", async () => {
    await plan();
    const run = await runSkiff(["apply", planFile]);
    strictEqual(run.code, 0, run.stdout + run.stderr);
    strictEqual(await exists(dir.join("web1", "conf.d", "extra.conf")), true);
  });
});

Deno.test("a plan holds no secret value, is mode 0600, and apply asks for a secret --data again", async () => {
  await using fleet = await sshFleet(1, ["web1"]);
  await using dir = await tempDir();
  await setUp(dir);
  const fleetSecret = "hunter2-in-a-template-9f3e";
  const flagSecret = "pw-on-the-command-line-41c7";
  await Deno.writeTextFile(
    dir.join("extra.conf.j2"),
    "# {{ host.name }}\npassword={{ host.data.db_password }}\n",
  );
  const path = await fleet.write(
    dir.path,
    `  groups:\n    web:\n      hosts: [web1]\n      data:\n        db_password: !secret ${fleetSecret}`,
    (name) => ({ app_root: dir.join(name) }),
  );
  const planFile = dir.join("p.json");
  const made = await runSkiff([
    "deploy",
    path,
    dir.join("deploy.ts"),
    "--data",
    `ssh_password=${flagSecret}`,
    "--plan",
    planFile,
    "--diff",
  ]);
  strictEqual(made.code, 0, made.stdout + made.stderr);
  assertIncludes(made.stdout, "+password=***\n");
  const text = await Deno.readTextFile(planFile);
  assertIncludes(text, "+password=***");
  assertIncludes(text, '"ssh_password=***"');
  for (const secret of [fleetSecret, flagSecret]) {
    assertExcludes(text, secret);
    assertExcludes(made.stdout + made.stderr, secret);
  }
  strictEqual((await Deno.stat(planFile)).mode! & 0o777, 0o600);

  const without = await runSkiff(["apply", planFile]);
  deepStrictEqual([without.code, without.stderr], [
    2,
    `error: Plan ${planFile} was made with --data ssh_password on the command line, a secret the plan does not keep: give it again with skiff apply ${planFile} --data ssh_password=…\n`,
  ]);
  const applied = await runSkiff(["apply", planFile, "--data", `ssh_password=${flagSecret}`]);
  strictEqual(applied.code, 0, applied.stdout + applied.stderr);
  assertExcludes(applied.stdout + applied.stderr, fleetSecret);
  strictEqual(
    await Deno.readTextFile(dir.join("web1", "conf.d", "extra.conf")),
    `# web1\npassword=${fleetSecret}\n`,
  );
});

Deno.test("skiff deploy --plan writes no plan when the dry run fails", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("bad.ts"),
    `export default async ({ ops }) => { await ops.files.put("missing.txt", "/tmp/x"); };\n`,
  );
  const planFile = dir.join("p.json");
  const run = await runSkiff(["deploy", "@local", dir.join("bad.ts"), "--plan", planFile]);
  // A missing local source is an input error of the run (exit 2), said once.
  strictEqual(run.code, 2, run.stdout + run.stderr);
  assertIncludes(
    run.stderr,
    'No plan was written: the dry run failed\nerror: Deploy bad: files.put source "missing.txt" does not exist',
  );
  assertIncludes(
    run.stdout,
    '[@local] files.put missing.txt: failed: source "missing.txt" does not exist (see the error at the end)',
  );
  strictEqual(await exists(planFile), false);
});

Deno.test("skiff plan show and apply name the plan file in input errors (exit 2)", async (t) => {
  await using dir = await tempDir();
  const file = dir.join("p.json");
  const cases: [string, string, string][] = [
    ["a missing file", "", `error: Plan ${file} does not exist\n`],
    ["not JSON", "{", `error: Plan ${file} is not JSON: `],
    [
      "another format",
      '{"format":"x"}',
      `error: Plan ${file} is not a skiff plan: "format" is not "skiff-plan"\n`,
    ],
    [
      "a later version",
      '{"format":"skiff-plan","version":2}',
      `error: Plan ${file}: version: this skiff reads plans of version 1, this one is version 2: make the plan again\n`,
    ],
  ];
  for (const [name, content, message] of cases) {
    await t.step(name, async () => {
      await Deno.remove(file).catch(() => {});
      if (content) await Deno.writeTextFile(file, content);
      for (const args of [["plan", "show", file], ["apply", file]]) {
        const run = await runSkiff(args);
        strictEqual(run.code, 2, run.stderr);
        strictEqual(run.stderr.startsWith(message), true, run.stderr);
      }
    });
  }
});

Deno.test("skiff apply stops a drifted host even when its deploy catches the error", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("app.conf"), "listen=8080\n");
  await Deno.writeTextFile(
    dir.join("stubborn.ts"),
    `export default async function ({ ops }) {
  try {
    await ops.files.line(${JSON.stringify(dir.join("app.conf"))}, "listen=8080");
  } catch {
    // carries on regardless
  }
  await ops.files.directory(${JSON.stringify(dir.join("after"))});
}
`,
  );
  const planFile = dir.join("p.json");
  const made = await runSkiff(["deploy", "@local", dir.join("stubborn.ts"), "--plan", planFile]);
  strictEqual(made.code, 0, made.stdout + made.stderr);
  await Deno.writeTextFile(dir.join("app.conf"), "listen=9090\n");
  const applied = await runSkiff(["apply", planFile]);
  strictEqual(applied.code, 1, applied.stdout + applied.stderr);
  assertIncludes(
    applied.stdout,
    `[@local] drift on @local: files.line ${
      dir.join("app.conf")
    } was planned as no change, now would change\n`,
  );
  strictEqual(await exists(dir.join("after")), false);
  strictEqual(await Deno.readTextFile(dir.join("app.conf")), "listen=9090\n");
});
