import { strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";
import { PYINFRA_ARGUMENTS } from "../../lib/operations/pyinfra_names.ts";

const README = new URL("../../README.md", import.meta.url);

Deno.test("pyinfra's argument names get hints naming skiff's: files.line replace, server.user user, sudo, name", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `export default async function ({ ops }) {
  const tries = [
    () => ops.files.line("${dir.path}/f", "port=8", { replace: "^port=" }),
    () => ops.files.put({ content: "x" }, "${dir.path}/g", { sudo: true }),
    () => ops.files.directory("${dir.path}/d", { name: "Make d" }),
  ];
  for (const attempt of tries) await attempt().catch((error) => console.log(error.message));
  await ops.server.user("deploy", { user: "deploy" });
}
`,
  );
  const run = await runSkiff(["deploy", "@local", dir.join("deploy.ts"), "-y"]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  const out = run.stdout + run.stderr;
  assertIncludes(
    out,
    `files.line: unknown option "replace" (pyinfra's replace=: the second argument is the literal line to write, and match the regular expression of the line it replaces: files.line(path, "port=8", { match: "^port=" }))`,
  );
  assertIncludes(
    out,
    `files.put: unknown option "sudo" (pyinfra's sudo=: control arguments start with "_": _sudo)`,
  );
  assertIncludes(
    out,
    `files.directory: unknown option "name" (pyinfra's name=: an operation's name is the control argument _name: { _name: "Install nginx" })`,
  );
  assertIncludes(
    out,
    `server.user: unknown option "user" (pyinfra's user=: the user name is the first argument: server.user("deploy"))`,
  );
});

Deno.test("README's Coming from pyinfra section names every argument of the hint table", async () => {
  const readme = await Deno.readTextFile(README);
  const start = readme.indexOf("## Coming from pyinfra");
  strictEqual(start >= 0, true, "no Coming from pyinfra section");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  for (const [operation, names] of Object.entries(PYINFRA_ARGUMENTS)) {
    for (const name of Object.keys(names)) {
      assertIncludes(section, `\`${operation}\``);
      assertIncludes(section, `\`${name}=\``);
    }
  }
});
