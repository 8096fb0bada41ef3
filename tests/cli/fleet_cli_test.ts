import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { runSkiff } from "../helpers/cli.ts";
import { startSshd, TEST_USER } from "../helpers/sshd.ts";
import { tempDir } from "../helpers/temp.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("skiff fleet show prints hosts, groups and data with secrets masked", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("f.yml"),
    `fleet:\n  hosts:\n    web1: {ssh_hostname: 10.0.0.5, ssh_password: hunter2, api_key: !secret abc123}\n  groups:\n    web: {hosts: [web1]}\n`,
  );
  const run = await runSkiff(["fleet", "show", "f.yml"], { cwd: dir.path });
  strictEqual(run.code, 0, run.stderr);
  strictEqual(
    run.stdout,
    `web1 (@ssh) groups: all, @ssh, web\n  api_key: "***"\n  ssh_hostname: "10.0.0.5"\n  ssh_password: "***"\n` +
      `groups:\n  @ssh: web1\n  all: web1\n  web: web1\n`,
  );
  const json = JSON.parse(
    (await runSkiff(["fleet", "show", "f.yml", "--json"], { cwd: dir.path })).stdout,
  );
  deepStrictEqual(json.hosts[0].data, {
    ssh_hostname: "10.0.0.5",
    ssh_password: "***",
    api_key: "***",
  });
  deepStrictEqual(json.groups.web, ["web1"]);
});

Deno.test("fleet !env reads SKIFF_* variables under the binary's flags and nothing else", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("f.yml"),
    `fleet:\n  hosts:\n    web1: {ssh_user: !env SKIFF_WEB_USER, ssh_port: !env SKIFF_WEB_PORT, zone: !env OTHER_ZONE:-none}\n`,
  );
  const env = { SKIFF_WEB_USER: "deployer", SKIFF_WEB_PORT: "2222", OTHER_ZONE: "eu" };
  const run = await runSkiff(["fleet", "show", "f.yml", "--json"], { cwd: dir.path, env });
  strictEqual(run.code, 0, run.stderr);
  // SKIFF_* is readable; OTHER_ZONE is set but outside the permission, so the default applies.
  deepStrictEqual(JSON.parse(run.stdout).hosts[0].data, {
    ssh_hostname: "web1",
    ssh_user: "deployer",
    ssh_port: "2222", // text from the environment, taken as the integer 2222 by @ssh
    zone: "none",
  });
});

Deno.test("skiff fleet check validates: ok line, or exit 2 with the position", async () => {
  await using dir = await tempDir();
  const ok = await runSkiff(["fleet", "check", `${ROOT}fleets/ssh.yml`]);
  strictEqual(ok.code, 0, ok.stderr);
  strictEqual(ok.stdout, "ok: 3 hosts, 4 groups\n");
  await Deno.writeTextFile(dir.join("bad.yml"), "fleet:\n  hosts:\n    web1: {ssh_port: twenty}\n");
  const bad = await runSkiff(["fleet", "check", "bad.yml"], { cwd: dir.path });
  strictEqual(bad.code, 2);
  strictEqual(
    bad.stderr,
    `error: bad.yml:3:12: fleet.hosts.web1.ssh_port: expected an integer, got "twenty"\n`,
  );
  strictEqual(bad.stdout, "");
});

Deno.test("skiff fleet check refuses a host key of another connector's prefix, naming that connector", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("f.yml"),
    "fleet:\n  hosts:\n    webserver:\n      app_port: 8\n      chroot_directory: /srv/web\n",
  );
  const bad = await runSkiff(["fleet", "check", "f.yml"], { cwd: dir.path });
  strictEqual(bad.code, 2, bad.stdout + bad.stderr);
  strictEqual(
    bad.stderr,
    `error: f.yml:5:7: host "webserver": chroot_directory belongs to the chroot connector: write connector: chroot on the host (it is reached by @ssh now)\n`,
  );
  await Deno.writeTextFile(
    dir.join("ok.yml"),
    "fleet:\n  hosts:\n    webserver: {connector: chroot, chroot_directory: /srv/web, app_port: 8}\n",
  );
  const ok = await runSkiff(["fleet", "show", "ok.yml"], { cwd: dir.path });
  strictEqual(ok.code, 0, ok.stderr);
  strictEqual(ok.stdout.includes("webserver"), true, ok.stdout);
});

Deno.test("skiff schema prints a JSON Schema for editors", async () => {
  const run = await runSkiff(["schema"]);
  const schema = JSON.parse(run.stdout);
  strictEqual(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  deepStrictEqual(schema.required, ["fleet"]);
});

Deno.test("skiff fleet show --limit and --exclude narrow the hosts; two privilege methods exit 2", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("f.yml"),
    `fleet:\n  hosts: {web1: {}, web2: {}, db1: {}}\n  groups:\n    web: {hosts: [web1, web2]}\n`,
  );
  const run = await runSkiff(["fleet", "show", "f.yml", "--limit", "web", "--exclude", "*2"], {
    cwd: dir.path,
  });
  strictEqual(run.code, 0, run.stderr);
  strictEqual(
    run.stdout,
    `web1 (@ssh) groups: all, @ssh, web\n  ssh_hostname: "web1"\ngroups:\n  @ssh: web1, web2, db1\n  all: web1, web2, db1\n  web: web1, web2\n`,
  );
  const both = await runSkiff(["exec", "@local", "--sudo", "--doas", "--", "id"]);
  strictEqual(both.code, 2);
  strictEqual(
    both.stderr.includes(
      "command line: _sudo and _doas are both set: choose one, or nest them explicitly with _privilege_chain",
    ),
    true,
    both.stderr,
  );
});

Deno.test("skiff exec fleets/local.yml --limit web -- hostname", async () => {
  const hostname = new TextDecoder().decode(
    (await new Deno.Command("uname", { args: ["-n"] }).output()).stdout,
  ).trim();
  const run = await runSkiff([
    "exec",
    `${ROOT}fleets/local.yml`,
    "--limit",
    "web",
    "--",
    "hostname",
  ]);
  strictEqual(run.code, 0, run.stderr);
  strictEqual(run.stdout, `[@local] ${hostname}\n`);
});

Deno.test("skiff exec over a fleet of two sshd hosts and @local, limited by group", async () => {
  await using a = await startSshd();
  await using b = await startSshd({ authorize: [await Deno.readTextFile(`${a.clientKey}.pub`)] });
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("known_hosts"),
    (await Deno.readTextFile(a.knownHosts)) + (await Deno.readTextFile(b.knownHosts)),
  );
  await Deno.writeTextFile(
    dir.join("fleet.yml"),
    `fleet:
  data:
    ssh_user: ${TEST_USER}
    ssh_key: ${a.clientKey}
    ssh_known_hosts_file: ${dir.join("known_hosts")}
    ssh_allow_agent: false
  hosts:
    alpha: {ssh_hostname: 127.0.0.1, ssh_port: ${a.port}, role: a}
    beta: {ssh_hostname: 127.0.0.1, ssh_port: ${b.port}, role: b}
    "@local": {}
  groups:
    remote: {hosts: [alpha, beta]}
`,
  );
  const run = await runSkiff([
    "exec",
    "fleet.yml",
    "--limit",
    "remote",
    "--",
    'echo "$SSH_CONNECTION" | cut -d" " -f4',
  ], {
    cwd: dir.path,
  });
  strictEqual(run.code, 0, run.stderr);
  deepStrictEqual(
    run.stdout.split("\n").filter(Boolean).sort(),
    [`[alpha] ${a.port}`, `[beta] ${b.port}`].sort(),
  );
  strictEqual(run.stderr, "2 of 2 hosts succeeded\n");
});

Deno.test("skiff fleet check takes --limit and --exclude like every command with targets", async () => {
  await using dir = await tempDir();
  const fleet = dir.join("fleet.yml");
  await Deno.writeTextFile(
    fleet,
    "fleet:\n  hosts:\n    web1: {ssh_hostname: 127.0.0.1}\n    web2: {ssh_hostname: 127.0.0.1}\n    db1: {ssh_hostname: 127.0.0.1}\n",
  );
  const all = await runSkiff(["fleet", "check", fleet]);
  strictEqual(all.stdout, "ok: 3 hosts, 2 groups\n", all.stderr);
  const some = await runSkiff(["fleet", "check", fleet, "--limit", "web*", "--exclude", "web2"]);
  strictEqual(some.stdout, "ok: 1 hosts, 2 groups\n", some.stderr);
});
