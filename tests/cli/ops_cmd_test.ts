import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { FACTS } from "../../lib/facts/registry.ts";
import { OPERATIONS } from "../../lib/operations/registry.ts";
import { generatedFiles } from "../../lib/cli/gen_api.ts";

Deno.test("skiff ops lists every operation and fact of the definitions, one line each", async () => {
  const run = await runSkiff(["ops"]);
  strictEqual(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  const names = lines.map((line) => /^ {2}([a-z]+\.[A-Za-z0-9]+)\(/.exec(line)?.[1])
    .filter((name) => name !== undefined);
  deepStrictEqual(names, [...Object.keys(OPERATIONS), ...Object.keys(FACTS)]);
  strictEqual(
    lines.find((line) => line.startsWith("  files.copy(")),
    "  files.copy(src, dest, {mode, user, group})" +
      " ".repeat(57) +
      "copies the host's file `src` to `dest` on the host (temporary file, then renamed); skipped when the sha256 matches",
  );
});

Deno.test("skiff ops NAME shows parameters, options with types and defaults, and an example", async () => {
  const run = await runSkiff(["ops", "files.directory"]);
  strictEqual(run.code, 0, run.stderr);
  strictEqual(
    run.stdout,
    `files.directory(path, {mode, user, group, present, recursive})
  a directory with mode and owner (or none)

  Parameters:
    path  string  The directory on the host.

  Options (control arguments such as _sudo may sit beside them):
    mode       string   -      Octal mode such as \`"644"\`.
    user       string   -      Owner user name.
    group      string   -      Owner group name.
    present    boolean  true   Present or removed.
    recursive  boolean  false  Apply mode and owner to everything under it.

  Example: ops.files.directory("/srv/www", { mode: "755" })
`,
  );
  const fact = await runSkiff(["ops", "cron.entries"]);
  strictEqual(
    fact.stdout,
    `cron.entries(user?: string): Record<string, CronEntryFact>
  the entries \`cron.entry\` manages in a crontab (the connecting user's by default), by name

  Example: await facts.cron.entries("user")
`,
  );
});

Deno.test("skiff ops --json prints the definitions as data; an unknown name is an input error", async () => {
  const run = await runSkiff(["ops", "server.wait", "--json"]);
  strictEqual(run.code, 0, run.stderr);
  const [entry] = JSON.parse(run.stdout);
  deepStrictEqual(entry.options.find((o: { name: string }) => o.name === "timeout"), {
    name: "timeout",
    type: "number",
    default: "60",
    required: false,
    doc: "Seconds to wait at most.",
  });
  deepStrictEqual([entry.kind, entry.signature], [
    "operation",
    "server.wait({port, path, command, timeout})",
  ]);
  const all = JSON.parse((await runSkiff(["ops", "--json"])).stdout);
  strictEqual(all.length, Object.keys(OPERATIONS).length + Object.keys(FACTS).length);
  const bad = await runSkiff(["ops", "files.putt"]);
  deepStrictEqual([bad.code, bad.stdout], [2, ""]);
  strictEqual(
    bad.stderr,
    'error: skiff ops: no operation or fact "files.putt" (did you mean "files.put"?)\n',
  );
});

Deno.test("the deploy API types and the README table are what the definitions give (deno task gen)", async () => {
  const root = new URL("../../", import.meta.url);
  for (const [path, text] of Object.entries(await generatedFiles())) {
    strictEqual(
      await Deno.readTextFile(new URL(path, root)) === text,
      true,
      `${path} differs from the definitions: run deno task gen`,
    );
  }
});
