/**
 * Fault case 23: a deploy that awaits forever, or a command that runs on,
 * ends at `--host-timeout` with a clear error; what it started is killed and
 * the run lock is released.
 */

import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

function running(marker: string): string[] {
  const ps = new TextDecoder().decode(
    new Deno.Command("ps", { args: ["-eo", "stat,args"] }).outputSync().stdout,
  );
  return ps.split("\n").filter((line) =>
    line.includes(marker) && !line.startsWith("Z") && !line.includes("deno")
  );
}

Deno.test("fault 23: --host-timeout fails a host whose deploy never ends, exit 1, nothing left", async (t) => {
  await using dir = await tempDir();
  const lock = dir.join("lock");
  const marker = `skiff-forever-${crypto.randomUUID()}`;
  const cases: [string, string][] = [
    ["a deploy awaiting forever", `await new Promise(() => {});`],
    ["a command running on", `await ops.server.shell("sleep 41; echo ${marker}");`],
  ];
  for (const [name, body] of cases) {
    await t.step(name, async () => {
      const file = dir.join("forever.ts");
      await Deno.writeTextFile(
        file,
        `export default async ({ ops }) => {\n  await ops.server.shell("true");\n  ${body}\n};\n`,
      );
      const started = performance.now();
      const run = await runSkiff(["deploy", "@local", file, "-y", "--host-timeout", "1"], {
        env: { SKIFF_RUN_LOCK: lock },
      });
      strictEqual(run.code, 1, run.stdout + run.stderr);
      deepStrictEqual(
        run.stdout.split("\n").filter((line) => line.startsWith("[@local] failed:")),
        ["[@local] failed: did not finish within 1 s (--host-timeout): stopped"],
      );
      strictEqual(performance.now() - started < 10_000, true);
      deepStrictEqual(running(marker), []);
      strictEqual(await Deno.stat(lock).then(() => true, () => false), false);
    });
  }
  await t.step("a bad value is a usage error", async () => {
    const run = await runSkiff([
      "deploy",
      "@local",
      dir.join("forever.ts"),
      "-y",
      "--host-timeout",
      "0",
    ]);
    strictEqual(run.code, 2);
    strictEqual(run.stderr, `error: --host-timeout: expected seconds above 0, got "0"\n`);
  });
});
