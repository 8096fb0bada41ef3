import { strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const DEPLOY = `export default async function ({ ops, host }) {
  await ops.files.template("app.conf.j2", host.data.out, { data: { workers: [1, 2] } });
}
`;

Deno.test("files.template renders under the binary's permission flags through the CLI", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("deploy.ts"), DEPLOY);
  await Deno.writeTextFile(
    dir.join("app.conf.j2"),
    "# {{ host.name }}\n{% for w in workers %}worker {{ w }}\n{% endfor %}",
  );
  const out = dir.join("app.conf");
  const args = ["deploy", "@local", dir.join("deploy.ts"), "-y", "--data", `out=${out}`];
  const first = await runSkiff(args);
  strictEqual(first.code, 0, first.stdout + first.stderr);
  assertIncludes(first.stdout, `[@local] files.template app.conf.j2: changed (created ${out})`);
  strictEqual(await Deno.readTextFile(out), "# @local\nworker 1\nworker 2\n");
  const second = await runSkiff([...args, "-v"]);
  assertIncludes(second.stdout, `[@local] files.template app.conf.j2: no change`);
  await Deno.writeTextFile(dir.join("app.conf.j2"), "{{ nope }}\n");
  const bad = await runSkiff(args);
  strictEqual(bad.code, 1);
  assertIncludes(
    bad.stdout,
    "files.template: app.conf.j2 line 1, column 1: undefined variable 'nope' in {{ nope }}",
  );
});

Deno.test("skiff deploy --dry --diff masks a host's secret that a template renders", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async ({ ops, host }) => {\n  await ops.files.template("db.conf.j2", host.data.out);\n};\n`,
  );
  await Deno.writeTextFile(
    dir.join("db.conf.j2"),
    "user=app\npassword={{ host.data.db_password }}\n",
  );
  const out = dir.join("db.conf");
  await Deno.writeTextFile(out, "user=app\npassword=old\n");
  const fleet = dir.join("fleet.yml");
  await Deno.writeTextFile(
    fleet,
    `fleet:\n  hosts:\n    "@local":\n      out: ${out}\n      db_password: !secret s3cr3t-in-a-diff\n`,
  );
  const run = await runSkiff(["deploy", fleet, dir.join("deploy.ts"), "--dry", "--diff"]);
  strictEqual(run.code, 0, run.stdout + run.stderr);
  assertIncludes(run.stdout, "-password=old");
  assertIncludes(run.stdout, "+password=***");
  assertExcludes(run.stdout + run.stderr, "s3cr3t-in-a-diff");
  strictEqual(await Deno.readTextFile(out), "user=app\npassword=old\n");
});

Deno.test("files.template takes { data, mode }: the pyinfra habit of variables beside mode fails naming data", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("app.conf.j2"), "port={{ port }}\n");
  const out = dir.join("app.conf");
  const deploy = (options: string) =>
    `export default async ({ ops }) => {\n  await ops.files.template("app.conf.j2", "${out}", ${options});\n};\n`;
  await Deno.writeTextFile(dir.join("deploy.ts"), deploy(`{ mode: "600", port: 8 }`));
  const bad = await runSkiff(["deploy", "@local", dir.join("deploy.ts"), "-y"]);
  strictEqual(bad.code, 1, bad.stdout + bad.stderr);
  assertIncludes(
    bad.stdout,
    `files.template: unknown option "port" (template variables go in data: files.template(src, dest, { data: { port: … } }))`,
  );
  strictEqual(await Deno.stat(out).then(() => true, () => false), false);
  await Deno.writeTextFile(dir.join("deploy.ts"), deploy(`{ data: { port: 8 }, mode: "600" }`));
  const good = await runSkiff(["deploy", "@local", dir.join("deploy.ts"), "-y"]);
  strictEqual(good.code, 0, good.stdout + good.stderr);
  strictEqual(await Deno.readTextFile(out), "port=8\n");
  strictEqual(((await Deno.stat(out)).mode! & 0o777).toString(8), "600");
});

Deno.test("files.template uses the deploy's own filters and tests, run in its sandbox", async (t) => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ ops, host, log }) {
  let calls = 0;
  const filters = {
    shout: (s) => (calls++, String(s).toUpperCase()),
    wrap: (s, open, close = open, opts = {}) => open + s + close + (opts.bang ? "!" : ""),
    evens: async (xs) => xs.filter((x) => x % 2 === 0),
    hostname: () => Deno.readTextFileSync("/etc/hostname"),
    boom: (s) => { throw new Error("no " + s); },
  };
  const tests = { privileged: (port) => port < 1024 };
  await ops.files.template(host.data.src, host.data.out, {
    data: { name: "web", items: [1, 2, 3, 4], port: 80 },
    filters,
    tests,
  });
  log("shout calls: " + calls);
}
`,
  );
  const out = dir.join("app.conf");
  const run = (template: string) =>
    Deno.writeTextFile(dir.join("app.conf.j2"), template).then(() =>
      runSkiff([
        "deploy",
        "@local",
        dir.join("deploy.ts"),
        "-y",
        "--data",
        `out=${out}`,
        "--data",
        "src=app.conf.j2",
      ])
    );

  await t.step("filters with arguments, keywords, chains, in loops; tests", async () => {
    const result = await run(
      "{{ name | shout | wrap('<', '>') }} {{ name | wrap('(', ')', bang=true) }}\n" +
        "{% for x in items | evens %}{{ x | shout }}{{ 'web' | shout }},{% endfor %}\n" +
        "{% if port is privileged %}root port{% endif %}\n",
    );
    strictEqual(result.code, 0, result.stdout + result.stderr);
    strictEqual(await Deno.readTextFile(out), "<WEB> (web)!\n2WEB,4WEB,root port\n");
    // shout('web'), shout(2), shout(4): each distinct call once, however many passes.
    assertIncludes(result.stdout, "shout calls: 3");
  });

  await t.step("a filter that throws names itself, the template, line and column", async () => {
    const result = await run("ok\n{{ name | boom }}\n");
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(
      result.stdout,
      "files.template: app.conf.j2 line 2, column 1: filter 'boom' failed: no web in {{ name | boom }}",
    );
  });

  await t.step("a filter has the deploy's permissions, not skiff's", async () => {
    const result = await run("{{ name | hostname }}\n");
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(
      result.stdout,
      "filter 'hostname' failed: Requires read access to \"/etc/hostname\"",
    );
  });

  await t.step("a filter that is not a function fails the operation naming it", async () => {
    await Deno.writeTextFile(
      dir.join("bad.ts"),
      `export default async ({ ops }) => { await ops.files.template("app.conf.j2", "/tmp/x", { filters: { up: "upper" } }); };\n`,
    );
    const result = await runSkiff(["deploy", "@local", dir.join("bad.ts"), "-y"]);
    strictEqual(result.code, 1, result.stdout + result.stderr);
    assertIncludes(result.stdout, "files.template: filters.up must be a function");
  });
});
