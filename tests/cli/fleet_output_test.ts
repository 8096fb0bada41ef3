import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { assertExcludes } from "../helpers/assert_text.ts";
import { runSkiff, skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const CHEAP = new URL("../helpers/cheap_connector.ts", import.meta.url).pathname;

/** A directory per host, and a command that fails on the hosts named in `fail`. */
const SITE = `export default async function ({ ops, host }) {
  const name = host.name.slice("@cheap/".length);
  await ops.files.directory(\`\${host.data.root}/\${name}\`);
  await ops.server.shell("echo broken >&2; exit 3", { _if: String(host.data.fail).split(" ").includes(name) });
}
`;

/** `@cheap/h001,…` for `n` hosts. */
function hosts(n: number): string {
  return Array.from({ length: n }, (_, i) => `@cheap/h${String(i + 1).padStart(3, "0")}`).join(",");
}

/** Output with the seconds column (which varies) as `S` and column padding as two spaces. */
function steady(stdout: string, dir: string): string {
  return stdout.replaceAll(dir, "D").replace(/ +\d+\.\d\d$/gm, "  S").replace(/ {2,}/g, "  ");
}

async function setup() {
  const dir = await tempDir();
  await Deno.writeTextFile(dir.join("site.ts"), SITE);
  const args = (n: number, fail: string) => [
    "deploy",
    hosts(n),
    dir.join("site.ts"),
    "-y",
    "--connector",
    CHEAP,
    "--data",
    `root=${dir.path}/out,fail=${fail}`,
  ];
  return { dir, args };
}

const OPS = "operation  at  changed  unchanged  failed  skipped  failed on\n";
const HOSTS = "host  result  changed  unchanged  failed  skipped  seconds\n";
const SHELL = "server.shell echo broken >&2; exit 3  site.ts:4";

Deno.test("skiff deploy on 1 host prints its changes, the report by operation and the host", async () => {
  const { dir, args } = await setup();
  await using _ = dir;
  const run = await runSkiff(args(1, "none"));
  strictEqual(run.code, 0, run.stderr);
  strictEqual(
    steady(run.stdout, dir.path),
    "[@cheap/h001] files.directory D/out/h001: changed (created D/out/h001)\n\n" +
      OPS +
      "files.directory D/out/h001  site.ts:3  1  0  0  0\n" +
      `${SHELL}  0  0  0  1\n\n` +
      HOSTS +
      "@cheap/h001  ok  1  0  0  1  S\n" +
      "1 host(s): 1 succeeded, 0 failed\n",
  );
});

Deno.test("skiff deploy on 25 hosts with nothing to change prints no line per operation", async () => {
  const { dir, args } = await setup();
  await using _ = dir;
  strictEqual((await runSkiff(args(25, "none"))).code, 0);
  const run = await runSkiff(args(25, "none"));
  strictEqual(run.code, 0, run.stderr);
  assertExcludes(run.stdout, "no change");
  strictEqual(
    steady(run.stdout, dir.path),
    "\n" + OPS +
      "files.directory (25 subjects)  site.ts:3  0  25  0  0\n" +
      `${SHELL}  0  0  0  25\n\n` +
      "25 host(s) ok without changes (--table full lists them)\n" +
      "25 host(s): 25 succeeded, 0 failed\n",
  );
  const full = await runSkiff([...args(25, "none"), "--table", "full"]);
  strictEqual(full.stdout.split("\n").filter((line) => / ok +0 +1 +0 +1 /.test(line)).length, 25);
});

Deno.test("skiff deploy on 200 hosts: failures once each, the failed hosts, a re-run command that works", async () => {
  const { dir, args } = await setup();
  await using _ = dir;
  strictEqual((await runSkiff(args(200, "none"))).code, 0);
  const run = await runSkiff(args(200, "h003 h107"));
  strictEqual(run.code, 1, run.stderr);
  const [rerunLine] = run.stdout.split("\n").filter((line) => line.startsWith("Re-run"));
  const failure = (host: string) =>
    `[@cheap/${host}] server.shell echo broken >&2; exit 3: failed: Command failed on @cheap/${host} with exit code 3: echo broken >&2; exit 3\nbroken\n`;
  const lines = steady(run.stdout, dir.path).split("\n");
  // The failures in the order they happened, then the report.
  deepStrictEqual(
    lines.slice(0, 4).sort(),
    [...failure("h003").split("\n").slice(0, 2), ...failure("h107").split("\n").slice(0, 2)].sort(),
  );
  deepStrictEqual(lines.slice(4, -2), [
    "",
    OPS.trimEnd(),
    "files.directory (200 subjects)  site.ts:3  0  200  0  0",
    `${SHELL}  0  0  2  198  @cheap/h003, @cheap/h107`,
    "",
    HOSTS.trimEnd(),
    "@cheap/h003  failed  0  1  1  0  S",
    "@cheap/h107  failed  0  1  1  0  S",
    "198 more host(s) ok without changes (--table full lists them)",
    "200 host(s): 198 succeeded, 2 failed",
  ]);
  strictEqual(
    rerunLine,
    `Re-run the failed hosts: skiff ${
      args(200, "h003 h107").map((arg) => /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`).join(" ")
    } --limit @cheap/h003,@cheap/h107`,
  );
  // The command works as printed, through a shell, on exactly the failed hosts.
  const skiff = skiffArgs([]).map((arg) => `'${arg}'`).join(" ");
  const shell = await new Deno.Command("sh", {
    args: ["-c", `skiff() { '${Deno.execPath()}' ${skiff} "$@"; }; ${rerunLine.slice(25)}`],
    env: { NO_COLOR: "1", SKIFF_RUN_LOCK: TEST_RUN_LOCK },
    stdout: "piped",
  }).output();
  const again = new TextDecoder().decode(shell.stdout);
  strictEqual(shell.code, 1, again);
  deepStrictEqual(
    again.split("\n").filter((line) => line.startsWith("@cheap/")).map((l) => l.split(" ")[0]),
    ["@cheap/h003", "@cheap/h107"],
  );
  ok(again.includes("2 host(s): 0 succeeded, 2 failed\n"), again);
});

Deno.test("skiff deploy on 200 hosts prints fewer than 30 lines when nothing changes or fails", async () => {
  const { dir, args } = await setup();
  await using _ = dir;
  strictEqual((await runSkiff(args(200, "none"))).code, 0);
  const run = await runSkiff(args(200, "none"));
  strictEqual(run.code, 0, run.stderr);
  assertExcludes(run.stdout, "no change");
  strictEqual(
    steady(run.stdout, dir.path),
    "\n" + OPS +
      "files.directory (200 subjects)  site.ts:3  0  200  0  0\n" +
      `${SHELL}  0  0  0  200\n\n` +
      "200 host(s) ok without changes (--table full lists them)\n" +
      "200 host(s): 200 succeeded, 0 failed\n",
  );
  ok(run.stdout.split("\n").length < 30);
});

Deno.test("--json lists the failed hosts as --limit @file reads them", async () => {
  const { dir, args } = await setup();
  await using _ = dir;
  const run = await runSkiff([...args(30, "h007 h021"), "--json"]);
  strictEqual(run.code, 1, run.stderr);
  const summary = JSON.parse(run.stdout.trimEnd().split("\n").at(-1)!);
  strictEqual(summary.failedHosts, "@cheap/h007\n@cheap/h021\n");
  deepStrictEqual(summary.operations[1], {
    site: "site.ts:4",
    op: "server.shell",
    subject: "echo broken >&2; exit 3",
    changed: 0,
    unchanged: 0,
    failed: 2,
    skipped: 28,
    failedHosts: ["@cheap/h007", "@cheap/h021"],
  });
  await Deno.writeTextFile(dir.join("failed.txt"), summary.failedHosts);
  const limited = await runSkiff(
    [...args(30, "none"), "--limit", "@failed.txt", "--json"],
    { cwd: dir.path },
  );
  strictEqual(limited.code, 0, limited.stderr);
  const hostsRun = JSON.parse(limited.stdout.trimEnd().split("\n").at(-1)!).hosts
    .map((h: { host: string }) => h.host);
  deepStrictEqual(hostsRun, ["@cheap/h007", "@cheap/h021"]);
  await Deno.writeTextFile(dir.join("empty.txt"), "# nothing\n");
  const empty = await runSkiff([...args(30, "none"), "--limit", "@empty.txt"], { cwd: dir.path });
  deepStrictEqual([empty.code, empty.stderr], [
    2,
    "error: --limit @empty.txt: the file names no host\n",
  ]);
});

Deno.test("the re-run command shows secret --data values as ***", async () => {
  const { dir, args } = await setup();
  await using _ = dir;
  const run = await runSkiff([...args(1, "h001"), "--data", "_sudo_password=hunter2x"]);
  strictEqual(run.code, 1, run.stderr);
  assertExcludes(run.stdout, "hunter2x");
  strictEqual(
    run.stdout.trimEnd().split("\n").at(-1),
    `Re-run the failed hosts: skiff deploy @cheap/h001 ${
      dir.join("site.ts")
    } -y --connector ${CHEAP} --data root=${dir.path}/out,fail=h001 --data '_sudo_password=***' --limit @cheap/h001`,
  );
});
