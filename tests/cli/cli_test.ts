import { match, strictEqual } from "node:assert/strict";
import { assertIncludes, assertStartsWith } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";

const UNAME = new TextDecoder().decode(
  (await new Deno.Command("uname", { args: ["-a"] }).output()).stdout,
).trim();

Deno.test("skiff exec @local runs the command and prefixes each line with the host", async () => {
  const run = await runSkiff(["exec", "@local", "--", "uname", "-a"]);
  strictEqual(run.stdout, `[@local] ${UNAME}\n`);
  strictEqual(run.stderr, "");
  strictEqual(run.code, 0);
});

Deno.test("skiff exec maps control flags onto the command", async () => {
  const run = await runSkiff([
    "exec",
    "@local",
    "--chdir",
    "/tmp",
    "--env",
    "A=$(id)",
    "--sudo",
    "--sudo-user",
    "nobody",
    "--",
    `printf '%s %s %s\\n' "$PWD" "$A" "$(id -un)"`,
  ]);
  // The suite runs as root: sudo to another user is what shows sudo was applied.
  strictEqual(run.stdout, "[@local] /tmp $(id) nobody\n", run.stderr);
  strictEqual(run.code, 0);
});

Deno.test("skiff exec fails with exit 1 and says why when the command fails", async () => {
  const run = await runSkiff(["exec", "@local", "--", "echo oops >&2; exit 127"]);
  strictEqual(run.code, 1);
  strictEqual(
    run.stderr,
    "[@local] oops\n[@local] command failed: exit code 127 (command not found)\n0 of 1 hosts succeeded\n",
  );
});

Deno.test("skiff exec --timeout kills the command within about a second", async () => {
  const marker = `skiff-timeout-${crypto.randomUUID()}`;
  const started = Date.now();
  const run = await runSkiff([
    "exec",
    "@local",
    "--timeout",
    "1",
    "--",
    `sleep 30; echo ${marker}`,
  ]);
  const elapsed = Date.now() - started;
  strictEqual(run.code, 1);
  strictEqual(run.stderr, "[@local] command failed: timed out after 1 s\n0 of 1 hosts succeeded\n");
  strictEqual(elapsed < 4000, true, `took ${elapsed} ms`);
  const ps = await new Deno.Command("ps", { args: ["-eo", "stat,args"] }).output();
  const survivors = new TextDecoder().decode(ps.stdout).split("\n").filter((l) =>
    l.includes(marker) && !l.startsWith("Z")
  );
  strictEqual(survivors.length, 0, survivors.join("\n"));
});

Deno.test("skiff exits 2 with a clear message for bad input", async (t) => {
  const cases: [string[], string][] = [
    [
      ["exec", "@lokal", "--", "id"],
      `error: Unknown connector "@lokal" (did you mean "local"?): known connectors are`,
    ],
    [
      ["exec", "@local", "--timeout", "soon", "--", "id"],
      `error: --timeout: expected a positive number of seconds, got "soon"`,
    ],
    [
      ["exec", "@local", "--data", "oops", "--", "id"],
      `error: --data: expected KEY=VALUE, got "oops"`,
    ],
    [
      ["exec", "@local", "--env", "A-B=1", "--", "id"],
      `error: _env: "A-B" is not a valid environment variable name`,
    ],
    [["nope"], "error: unknown command 'nope'"],
    [["completions", "tcsh"], `error: Unknown shell "tcsh": choose one of bash, zsh, fish`],
  ];
  for (const [args, expected] of cases) {
    await t.step(args.join(" "), async () => {
      const run = await runSkiff(args);
      strictEqual(run.code, 2, run.stderr);
      assertStartsWith(run.stderr, expected);
      strictEqual(run.stdout, "");
    });
  }
});

Deno.test("skiff connectors local prints its data keys and the control arguments", async () => {
  const run = await runSkiff(["connectors", "local"]);
  strictEqual(run.code, 0);
  const lines = run.stdout.split("\n");
  strictEqual(lines[0], "@local - The machine skiff runs on");
  strictEqual(
    lines[1],
    "  local_persistent_shell  true     Run ordinary commands through one long-lived shell instead of a process each (boolean)",
  );
  strictEqual(
    lines[3],
    "Control arguments (every connector; set per operation, in host data or with CLI flags):",
  );
  match(run.stdout, /^ {2}_sudo {16}false {4}Run the command with sudo \(boolean\)$/m);
  match(run.stdout, /^ {2}_shell_executable +"sh" +Shell that wraps/m);
  match(run.stdout, /^ {2}_success_exit_codes +\[0\] +Exit codes that count as success/m);
});

Deno.test("skiff --version and --help", async () => {
  const meta = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const version = await runSkiff(["--version"]);
  strictEqual(version.stdout, `${meta.version}\n`);
  strictEqual(version.code, 0);
  const help = await runSkiff(["exec", "--help"]);
  strictEqual(help.code, 0);
  assertStartsWith(help.stdout, "Usage: skiff exec [options] <targets> <command...>\n");
  assertIncludes(help.stdout, "--sudo-user <user>");
});

Deno.test("skiff completions generates scripts from the command tree", async (t) => {
  await t.step("bash", async () => {
    const run = await runSkiff(["completions", "bash"]);
    strictEqual(run.code, 0);
    assertIncludes(run.stdout, "complete -F _skiff skiff");
    assertIncludes(
      run.stdout,
      `exec) words="--data --limit --exclude --connector --user --port --key --password --known-hosts --parallel --sudo --sudo-user`,
    );
    const check = await new Deno.Command("bash", { args: ["-n"], stdin: "piped" }).spawn();
    const writer = check.stdin.getWriter();
    await writer.write(new TextEncoder().encode(run.stdout));
    await writer.close();
    strictEqual((await check.status).code, 0);
  });
  await t.step("fish", async () => {
    const run = await runSkiff(["completions", "fish"]);
    assertIncludes(
      run.stdout,
      `complete -c skiff -n '__fish_seen_subcommand_from exec' -l sudo -d 'run commands with sudo'`,
    );
  });
  await t.step("zsh", async () => {
    const run = await runSkiff(["completions", "zsh"]);
    assertStartsWith(run.stdout, "#compdef skiff\n");
    assertIncludes(run.stdout, `'exec:run a shell command on every target host'`);
  });
});
