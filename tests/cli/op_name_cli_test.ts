import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const DEPLOY = `export default async function ({ ops, sh, secret }) {
  await ops.server.shell(sh\`echo \${"first"} \${secret("hunter2")}\`, { _if: false });
  await ops.server.shell(sh\`echo second\`, { _if: false });
  await ops.server.shell("true", { _name: "Warm the cache" });
  await ops.server.shell("exit 3", { _name: "Migrate the database" });
}
`;

Deno.test("_name names an operation in the output, --json and the report; unnamed shell calls show their first command, masked", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("deploy.ts"), DEPLOY);
  const run = await runSkiff(["deploy", "@local", dir.join("deploy.ts"), "-y", "-v"]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  assertIncludes(run.stdout, "[@local] server.shell echo first ***: skipped (_if is false)\n");
  assertIncludes(run.stdout, "[@local] server.shell echo second: skipped (_if is false)\n");
  assertIncludes(run.stdout, "[@local] server.shell Warm the cache: ");
  assertIncludes(run.stdout, "server.shell Migrate the database: ");
  assertExcludes(run.stdout + run.stderr, "hunter2");
  const json = await runSkiff(["deploy", "@local", dir.join("deploy.ts"), "-y", "--json"]);
  const subjects = json.stdout.split("\n").filter((line) => line.includes('"op-result"'))
    .map((line) => JSON.parse(line).subject);
  deepStrictEqual(subjects, [
    "echo first ***",
    "echo second",
    "Warm the cache",
    "Migrate the database",
  ]);
});

Deno.test("_name in host data is refused: it names one call", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("deploy.ts"), DEPLOY);
  const run = await runSkiff([
    "deploy",
    "@local",
    dir.join("deploy.ts"),
    "-y",
    "--data",
    "_name=x",
  ]);
  strictEqual(run.code, 2, run.stdout + run.stderr);
  assertIncludes(run.stdout + run.stderr, "_name names one operation call: pass it to the call");
});
