import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FAKE_INCUS = `${ROOT}tests/helpers/fake_incus.sh`;

/** The `// mine.ts` code block of README "Writing a connector", as an operator copies it. */
async function readmeConnector(): Promise<string> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const block = readme.match(/```ts\n(\/\/ mine\.ts\n[\s\S]*?)```/);
  if (!block) throw new Error("README has no ```ts block starting with // mine.ts");
  return block[1];
}

async function denoCheck(dir: string, file: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", file],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** The check lines of a `connectors test` run: [ok, name] pairs. */
function checkLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /^(ok|FAIL) /.test(line));
}

Deno.test("a kit connector written outside the repo type-checks, runs and passes the suite", async (t) => {
  await using dir = await tempDir("skiff-mine-");
  const source = await readmeConnector();
  await Deno.writeTextFile(`${dir.path}/mine.ts`, source);

  await t.step("skiff types writes what it checks against", async () => {
    const types = await runSkiff(["types"], { cwd: dir.path });
    deepStrictEqual([types.code, types.stdout], [0, `Wrote ${dir.path}/skiff.d.ts\n`]);
    const checked = await denoCheck(dir.path, "mine.ts");
    strictEqual(checked.code, 0, checked.stderr);
  });

  await t.step("skiff exec runs through it (the types are for the editor only)", async () => {
    await Deno.mkdir(dir.join("bare"));
    await Deno.writeTextFile(dir.join("bare", "mine.ts"), source);
    const run = await runSkiff(
      ["exec", "@mine/x", "--connector", "./mine.ts", "--", 'echo "name=$MINE_NAME"'],
      { cwd: dir.join("bare") },
    );
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout.includes("name=x"), true, run.stdout);
  });

  await t.step("skiff connectors test passes every check", async () => {
    const run = await runSkiff(["connectors", "test", "@mine/x", "--connector", "./mine.ts"], {
      cwd: dir.path,
    });
    const lines = checkLines(run.stdout);
    deepStrictEqual(lines.filter((line) => !line.startsWith("ok ")), [], run.stderr);
    deepStrictEqual([run.code, lines.length], [0, 16]);
    strictEqual(run.stdout.startsWith("Testing @mine connector on @mine/x\n"), true);
    strictEqual(run.stdout.endsWith("All 16 checks passed\n"), true, run.stdout);
  });

  await t.step("a connector whose timeout does not kill fails exactly that check", async () => {
    const broken = source.replace("        timeout: connector._timeout,\n", "");
    strictEqual(broken === source, false, "the README connector passes _timeout on");
    await Deno.writeTextFile(`${dir.path}/broken.ts`, broken);
    strictEqual((await denoCheck(dir.path, "broken.ts")).code, 0);
    const run = await runSkiff(["connectors", "test", "@mine/x", "--connector", "./broken.ts"], {
      cwd: dir.path,
    });
    deepStrictEqual(
      [run.code, checkLines(run.stdout).filter((line) => line.startsWith("FAIL"))],
      [1, [
        "FAIL  _timeout kills the command and leaves nothing running: the command succeeded although it ran past _timeout",
      ]],
    );
    strictEqual(run.stdout.endsWith("1 of 16 checks failed\n"), true, run.stdout);
  });
});

Deno.test("the incus example passes the suite against the stand-in incus CLI", async () => {
  const run = await runSkiff([
    "connectors",
    "test",
    "@incus/box",
    "--connector",
    `${ROOT}fleets/examples/incus_connector.ts`,
    "--data",
    `incus_binary=${FAKE_INCUS}`,
  ]);
  deepStrictEqual(checkLines(run.stdout).filter((line) => !line.startsWith("ok ")), [], run.stderr);
  deepStrictEqual([run.code, checkLines(run.stdout).length], [0, 16]);
});

Deno.test("the incus example reports an instance it cannot reach as a connect failure", async () => {
  const run = await runSkiff([
    "exec",
    "@incus/missing-box",
    "--connector",
    `${ROOT}fleets/examples/incus_connector.ts`,
    "--data",
    `incus_binary=${FAKE_INCUS}`,
    "--",
    "true",
  ]);
  deepStrictEqual([run.code, run.stdout, run.stderr], [
    1,
    "",
    '[@incus/missing-box] could not connect: Incus instance "missing-box" cannot be reached: Error: Instance not found\n0 of 1 hosts succeeded\n',
  ]);
});

Deno.test("skiff connectors test refuses anything but exactly one host", async () => {
  const run = await runSkiff([
    "connectors",
    "test",
    "@echo/a+b",
    "--connector",
    `${ROOT}fleets/examples/echo_connector.ts`,
  ]);
  deepStrictEqual([run.code, run.stdout, run.stderr], [
    2,
    "",
    'error: skiff connectors test: give exactly one host, got 2: "@echo/a", "@echo/b"\n',
  ]);
});
