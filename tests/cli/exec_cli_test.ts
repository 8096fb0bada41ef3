import { strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("skiff exec masks a fleet host's secret _env value in what it prints", async (t) => {
  await using dir = await tempDir();
  await t.step("@local", async () => {
    const fleet = dir.join("local.yml");
    await Deno.writeTextFile(
      fleet,
      'fleet:\n  hosts:\n    "@local":\n      _env: { TOKEN: !secret s3cr3t-local }\n',
    );
    const run = await runSkiff(["exec", fleet, "--", "echo token=$TOKEN; echo err=$TOKEN >&2"]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, "[@local] token=***\n");
    strictEqual(run.stderr, "[@local] err=***\n");
  });
  await t.step("a secret in plain host data, not only in control arguments", async () => {
    const fleet = dir.join("data.yml");
    await Deno.writeTextFile(
      fleet,
      'fleet:\n  hosts:\n    "@local":\n      api_token: !secret tok-9f8e7d\n',
    );
    const run = await runSkiff(["exec", fleet, "--", "echo token=tok-9f8e7d"]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, "[@local] token=***\n");
  });
  await t.step("@ssh", async () => {
    await using sshd = await startSshd();
    const fleet = dir.join("ssh.yml");
    await Deno.writeTextFile(
      fleet,
      [
        "fleet:",
        "  hosts:",
        "    box:",
        "      ssh_hostname: 127.0.0.1",
        `      ssh_port: ${sshd.port}`,
        `      ssh_user: ${TEST_USER}`,
        `      ssh_key: ${sshd.clientKey}`,
        `      ssh_known_hosts_file: ${sshd.knownHosts}`,
        "      _env: { TOKEN: !secret s3cr3t-ssh }",
        "",
      ].join("\n"),
    );
    const run = await runSkiff(["exec", fleet, "--", "echo token=$TOKEN"]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, "[box] token=***\n");
  });
});

Deno.test("skiff exec honours _retries from host data and from the command line", async (t) => {
  await using dir = await tempDir();
  // Fails until it has been run `n` times: each attempt appends a line to a counter file.
  const flaky = (counter: string, n: number) =>
    `echo x >>${counter}; test "$(wc -l <${counter})" -ge ${n} && echo attempt $(wc -l <${counter})`;
  await t.step("host data: the third attempt succeeds", async () => {
    const counter = dir.join("data.count");
    const fleet = dir.join("retry.yml");
    await Deno.writeTextFile(
      fleet,
      'fleet:\n  hosts:\n    "@local": { _retries: 2, _retry_delay: 0 }\n',
    );
    const run = await runSkiff(["exec", fleet, "--", flaky(counter, 3)]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, "[@local] attempt 3\n");
    strictEqual(await Deno.readTextFile(counter), "x\nx\nx\n");
  });
  await t.step("too few retries: exit 1 after every attempt", async () => {
    const counter = dir.join("few.count");
    const fleet = dir.join("few.yml");
    await Deno.writeTextFile(
      fleet,
      'fleet:\n  hosts:\n    "@local": { _retries: 1, _retry_delay: 0 }\n',
    );
    const run = await runSkiff(["exec", fleet, "--", flaky(counter, 3)]);
    strictEqual(run.code, 1, run.stderr);
    strictEqual(
      run.stderr,
      [
        "[@local] retrying the command (1 of 1) in 0 s",
        "[@local] command failed: exit code 1 (general error)",
        "0 of 1 hosts succeeded",
        "",
      ].join("\n"),
    );
    strictEqual(await Deno.readTextFile(counter), "x\nx\n");
  });
  await t.step("--data _retries=2 on a CLI target", async () => {
    const counter = dir.join("cli.count");
    const run = await runSkiff([
      "exec",
      "@local",
      "--data",
      "_retries=2,_retry_delay=0",
      "--",
      flaky(counter, 2),
    ]);
    strictEqual(run.code, 0, run.stderr);
    strictEqual(run.stdout, "[@local] attempt 2\n");
  });
});
