import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import {
  assertEndsWith,
  assertExcludes,
  assertIncludes,
  assertStartsWith,
} from "../helpers/assert_text.ts";
import { runSkiff, spawnSkiff } from "../helpers/cli.ts";
import { skiffInTerminal } from "../helpers/terminal.ts";
import { tempDir } from "../helpers/temp.ts";

const DEMO = new URL("../../fleets/deploys/demo.ts", import.meta.url).pathname;

function summaryRow(stdout: string): string {
  return stdout.split("\n").find((line) => line.startsWith("@local "))!.replace(/\s+\S+$/, "");
}

Deno.test("skiff deploy changes things once and nothing the second time", async () => {
  await using dir = await tempDir();
  const args = ["deploy", "@local", DEMO, "-y", "--data", `demo_root=${dir.path}/demo`];
  const first = await runSkiff(args);
  strictEqual(first.code, 0, first.stderr);
  assertIncludes(
    first.stdout,
    `[@local] files.directory ${dir.path}/demo: changed (created ${dir.path}/demo)\n`,
  );
  strictEqual(summaryRow(first.stdout), "@local  ok            6          0       0        0");
  assertIncludes(first.stdout, "1 host(s): 1 succeeded, 0 failed\n");
  const second = await runSkiff(args);
  strictEqual(second.code, 0);
  // Nothing changed: no line per operation, the report by operation and the host table.
  const d = `${dir.path}/demo`;
  const pad = (text: string) => text.padEnd(`files.line ${d}/conf.d/tuning.conf`.length);
  strictEqual(
    second.stdout.replace(/^\[@local\] OS is .*\n/, "").replace(/\d+\.\d\d$/m, "S"),
    "\n" +
      `${pad("operation")}  at          changed  unchanged  failed  skipped  failed on\n` +
      `${pad(`files.directory ${d}`)}  demo.ts:10        0          1       0        0\n` +
      `${pad(`files.directory ${d}/conf.d`)}  demo.ts:11        0          1       0        0\n` +
      `${pad(`files.put ${d}/app.conf`)}  demo.ts:12        0          1       0        0\n` +
      `${
        pad(`files.line ${d}/conf.d/tuning.conf`)
      }  demo.ts:19        0          1       0        0\n` +
      `${pad(`files.block ${d}/motd`)}  demo.ts:23        0          1       0        0\n` +
      `${pad(`files.link ${d}/current`)}  demo.ts:24        0          1       0        0\n` +
      "\n" +
      "host    result  changed  unchanged  failed  skipped  seconds\n" +
      "@local  ok            0          6       0        0     S\n" +
      "1 host(s): 1 succeeded, 0 failed\n",
  );
  const verbose = await runSkiff([...args, "-v"]);
  assertIncludes(verbose.stdout, `[@local] files.put ${d}/app.conf: no change\n`);
});

Deno.test("skiff deploy finishes its run when the reader of its output goes away", async () => {
  await using dir = await tempDir();
  const child = spawnSkiff([
    "deploy",
    "@local",
    DEMO,
    "-y",
    "--data",
    `demo_root=${dir.path}/demo`,
  ]);
  const reader = child.stdout.getReader();
  await reader.read(); // like `| head -1`: one chunk, then the pipe is closed
  await reader.cancel();
  const [status, stderr] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  deepStrictEqual([status.code, stderr], [0, ""]);
  // The last operation of the demo ran: nothing stopped half-way.
  strictEqual(await Deno.readLink(`${dir.path}/demo/current`), `${dir.path}/demo/conf.d`);
});

Deno.test("skiff deploy --dry --diff shows the diff and touches nothing", async () => {
  await using dir = await tempDir();
  const run = await runSkiff([
    "deploy",
    "@local",
    DEMO,
    "--dry",
    "--diff",
    "--data",
    `demo_root=${dir.path}/demo`,
  ]);
  strictEqual(run.code, 0, run.stderr);
  assertStartsWith(run.stdout, "Dry run of demo on 1 host(s): nothing will change\n");
  assertIncludes(
    run.stdout,
    `[@local] files.put ${dir.path}/demo/app.conf: would change (created ${dir.path}/demo/app.conf)\n` +
      `    --- /dev/null\n    +++ ${dir.path}/demo/app.conf\n    @@ -0,0 +1,2 @@\n    +# managed by skiff for @local\n    +port=8080\n`,
  );
  assertEndsWith(run.stdout, "Dry run: nothing was changed\n");
  deepStrictEqual([...Deno.readDirSync(dir.path)], []);
});

Deno.test("skiff deploy --json writes only JSON events that match the summary", async () => {
  await using dir = await tempDir();
  const run = await runSkiff([
    "deploy",
    "@local",
    DEMO,
    "-y",
    "--json",
    "--data",
    `demo_root=${dir.path}/demo`,
  ]);
  strictEqual(run.code, 0, run.stderr);
  const events = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  strictEqual(events[0].type, "run-start");
  deepStrictEqual(events[0].hosts, ["@local"]);
  const results = events.filter((e) => e.type === "op-result");
  strictEqual(results.length, 6);
  strictEqual(results.every((e) => e.changed && e.success), true);
  const summary = events.at(-1);
  strictEqual(summary.type, "summary");
  deepStrictEqual(summary.hosts[0].counts, { ok: 0, changed: 6, failed: 0, skipped: 0 });
  strictEqual(
    events.some((e) => e.type === "log" && e.message.startsWith("OS is ")),
    true,
    run.stdout,
  );
});

Deno.test("skiff deploy reports a deploy that fails to load before touching any host", async (t) => {
  await using dir = await tempDir();
  const marker = dir.join("touched");
  await Deno.writeTextFile(
    dir.join("first.ts"),
    `export default async ({ ops }) => { await ops.files.directory(${
      JSON.stringify(marker)
    }); };\n`,
  );
  const cases: [string, string, RegExp][] = [
    [
      "syntax.ts",
      "export default async function () {\n  const x = ;\n}\n",
      /^error: Deploy \S+\/syntax\.ts failed to load: SyntaxError: Expression expected\n[\s\S]*at file:\/\/\S+\/syntax\.ts:2:13\n$/,
    ],
    [
      "nodefault.ts",
      "export const x = 1;\n",
      /^error: Deploy \S+\/nodefault\.ts failed to load: it has no default export function: write `export default async function \(ctx\) \{ … \}`\n$/,
    ],
    [
      "throws.ts",
      "throw new Error('boom at import');\nexport default () => {};\n",
      /^error: Deploy \S+\/throws\.ts failed to load: boom at import\n$/,
    ],
  ];
  for (const [name, source, expected] of cases) {
    await t.step(name, async () => {
      await Deno.writeTextFile(dir.join(name), source);
      const run = await runSkiff(["deploy", "@local", dir.join("first.ts"), dir.join(name), "-y"]);
      strictEqual(run.code, 2);
      match(run.stderr, expected);
      strictEqual(run.stdout, "");
      strictEqual(await Deno.stat(marker).then(() => true, () => false), false);
    });
  }
  await t.step("missing file", async () => {
    const run = await runSkiff(["deploy", "@local", dir.join("missing.ts"), "-y"]);
    strictEqual(run.code, 2);
    strictEqual(run.stderr, `error: Deploy ${dir.join("missing.ts")} does not exist\n`);
  });
});

Deno.test("skiff deploy refuses to apply without -y when not interactive", async () => {
  const run = await runSkiff(["deploy", "@local", DEMO]);
  strictEqual(run.code, 2);
  strictEqual(
    run.stderr,
    "error: Nothing was changed: pass -y to apply the deploy, or --dry to see what it would change\n",
  );
});

Deno.test("skiff deploy fails the host when the deploy throws, naming the position", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("bad.ts"),
    `export default async function ({ ops }) {\n  await ops.server.shell(["true"]);\n  throw new Error("not today");\n}\n`,
  );
  const run = await runSkiff(["deploy", "@local", dir.join("bad.ts"), "-y"]);
  strictEqual(run.code, 1);
  assertIncludes(
    run.stdout,
    `[@local] failed: deploy bad threw not today at ${dir.join("bad.ts")}:3:9\n`,
  );
  // Counted once, as a failed host; the failure printed once.
  strictEqual(summaryRow(run.stdout), "@local  failed        1          0       0        0");
  strictEqual(run.stdout.split("threw not today").length, 2);
  assertIncludes(run.stdout, "1 host(s): 0 succeeded, 1 failed\n");
});

Deno.test("skiff deploy stops on a failed operation with the command, exit code and stderr", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("fail.ts"),
    `export default async function ({ ops }) {\n  await ops.server.shell(["echo nope >&2; exit 127"]);\n  await ops.server.shell(["echo never"]);\n}\n`,
  );
  const run = await runSkiff(["deploy", "@local", dir.join("fail.ts"), "-y"]);
  strictEqual(run.code, 1);
  assertIncludes(
    run.stdout,
    "[@local] server.shell echo nope >&2; exit 127: failed: Command failed on @local with exit code 127 (command not found): echo nope >&2; exit 127\nnope\n",
  );
  assertExcludes(run.stdout, "echo never");
  // Printed once, not again when the host ends.
  strictEqual(run.stdout.split("Command failed on").length, 2);
});

Deno.test("deploy code runs sandboxed: no key reads, no sockets, no processes, no env, operations still work", async () => {
  await using dir = await tempDir();
  await using keys = await tempDir();
  const key = keys.join("id_ed25519");
  await Deno.writeTextFile(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  await Deno.mkdir(dir.join("deploy"));
  await Deno.writeTextFile(
    dir.join("deploy/sandbox.ts"),
    `const attempt = async (what, fn) => { try { await fn(); return what + ": allowed"; } catch (e) { return what + ": " + e.name; } };
export default async function ({ ops, log }) {
  log(await attempt("read key", () => Deno.readTextFile(${JSON.stringify(key)})));
  log(await attempt("import key", () => import(${JSON.stringify("file://" + key)})));
  log(await attempt("socket", () => Deno.connect({ hostname: "127.0.0.1", port: ${port} })));
  log(await attempt("spawn", () => new Deno.Command("id").output()));
  log(await attempt("env", () => { if (Deno.env.get("HOME") !== undefined) throw new Error("HOME leaked"); throw { name: "hidden" }; }));
  log(await attempt("write", () => Deno.writeTextFile(${JSON.stringify(dir.join("x"))}, "x")));
  const r = await ops.files.directory(${JSON.stringify(dir.join("made"))});
  log("directory changed: " + r.changed);
}
`,
  );
  try {
    const run = await runSkiff(["deploy", "@local", dir.join("deploy/sandbox.ts"), "-y"]);
    strictEqual(run.code, 0, run.stderr + run.stdout);
    const logs = run.stdout.split("\n").filter((l) =>
      l.startsWith("[@local] ") && !l.includes("files.directory")
    )
      .map((l) => l.slice(9));
    deepStrictEqual(logs, [
      "read key: NotCapable",
      "import key: TypeError",
      "socket: NotCapable",
      "spawn: NotCapable",
      "env: hidden",
      "write: NotCapable",
      "directory changed: true",
    ]);
    strictEqual((await Deno.stat(dir.join("made"))).isDirectory, true);
  } finally {
    listener.close();
  }
});

Deno.test("skiff deploy exits 130 on Ctrl-C, leaves nothing running and prints the summary", async () => {
  await using dir = await tempDir();
  const marker = `skiff-int-${crypto.randomUUID()}`;
  await Deno.writeTextFile(
    dir.join("slow.ts"),
    `export default async function ({ ops }) {\n  await ops.server.shell(["sleep 30; echo ${marker}"]);\n  await ops.server.shell(["touch ${
      dir.join("after")
    }"]);\n}\n`,
  );
  const child = spawnSkiff(["deploy", "@local", dir.join("slow.ts"), "-y"]);
  const ps = () =>
    new TextDecoder().decode(
      new Deno.Command("ps", { args: ["-eo", "stat,args"] }).outputSync().stdout,
    );
  for (let i = 0; i < 100 && !ps().includes(`sleep 30; echo ${marker}`); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const started = Date.now();
  child.kill("SIGINT");
  const output = await child.output();
  strictEqual(output.code, 130);
  strictEqual(Date.now() - started < 5000, true);
  const stdout = new TextDecoder().decode(output.stdout);
  assertIncludes(stdout, "1 host(s): 0 succeeded, 1 failed, interrupted\n");
  const survivors = ps().split("\n").filter((l) => l.includes(marker) && !l.startsWith("Z"));
  deepStrictEqual(survivors, []);
  strictEqual(await Deno.stat(dir.join("after")).then(() => true, () => false), false);
});

/** Runs skiff on a terminal, typing `answer`; what the screen showed, escapes removed. */
async function inTerminal(args: string[], answer: string): Promise<string> {
  const terminal = skiffInTerminal(args, { env: { TERM: "xterm" } });
  await terminal.type(answer);
  const { text } = await terminal.finish();
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

Deno.test("skiff deploy in a terminal shows the changes and asks before applying", async (t) => {
  await using dir = await tempDir();
  const args = ["deploy", "@local", DEMO, "--data", `demo_root=${dir.path}/demo`];
  await t.step("answering no changes nothing", async () => {
    const screen = await inTerminal(args, "n\n");
    assertIncludes(screen, "Apply 6 change(s)? [y/N]");
    assertIncludes(screen, "Nothing was changed");
    deepStrictEqual([...Deno.readDirSync(dir.path)], []);
  });
  await t.step("answering yes applies", async () => {
    const screen = await inTerminal(args, "y\n");
    assertIncludes(screen, "Apply 6 change(s)? [y/N]");
    strictEqual((await Deno.stat(`${dir.path}/demo/app.conf`)).isFile, true);
  });
  await t.step("nothing to change asks nothing", async () => {
    const screen = await inTerminal(args, "");
    assertIncludes(screen, "Nothing to change");
    assertExcludes(screen, "Apply");
  });
});
