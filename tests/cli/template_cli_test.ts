import { strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const DEPLOY = `export default async function ({ ops, host }) {
  await ops.files.template("app.conf.j2", host.data.out, { workers: [1, 2] });
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
  const second = await runSkiff(args);
  assertIncludes(second.stdout, `[@local] files.template app.conf.j2: no change`);
  await Deno.writeTextFile(dir.join("app.conf.j2"), "{{ nope }}\n");
  const bad = await runSkiff(args);
  strictEqual(bad.code, 1);
  assertIncludes(
    bad.stdout,
    "files.template: app.conf.j2 line 1, column 1: undefined variable in {{ nope }}",
  );
});
