/**
 * The example deploys that port pyinfra's patterns (python-web-app,
 * foundationdb-cluster, ssh_demo) through the real CLI, against two
 * disposable Debian trees that a fleet names with short names
 * (`connector: chroot`): everything changes once, nothing the second time.
 */

import { strictEqual } from "node:assert/strict";
import { assertExcludes, assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { tempDir } from "../helpers/temp.ts";

const DEPLOYS = ["python_web_app.ts", "foundationdb_cluster.ts", "ssh_demo.ts"].map((name) =>
  new URL(`../../fleets/deploys/${name}`, import.meta.url).pathname
);
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGskiffdemokey admin@example";

Deno.test("the pyinfra-pattern example deploys change two chroot hosts once and nothing the second time", async () => {
  await using one = await debianRoot();
  await using two = await debianRoot();
  await using dir = await tempDir();
  const host = (root: string, address: string, name: string) =>
    `{connector: chroot, chroot_directory: ${root}, fdb_address: ${address}, fdb_hostname: ${name}}`;
  await Deno.writeTextFile(
    dir.join("fleet.yml"),
    `fleet:
  hosts:
    fdb1: ${host(one.path, "10.0.0.1", "fdb1.example.com")}
    fdb2: ${host(two.path, "10.0.0.2", "fdb2.example.com")}
  groups:
    fdb: {hosts: [fdb1, fdb2]}
  data:
    app_name: webapp
    app_port: 8000
    server_names: [example.com, www.example.com]
    admin_user: admin
    admin_keys: ["${KEY}"]
fdb:
  cluster_id: abc123
`,
  );
  const deploy = () => runSkiff(["deploy", dir.join("fleet.yml"), ...DEPLOYS, "-y", "-v"]);
  const first = await deploy();
  strictEqual(first.code, 0, first.stdout + first.stderr);
  assertIncludes(first.stdout, "[fdb1] server.shell Restart webapp: changed");
  assertIncludes(first.stdout, "(only the file in a chroot)");
  for (const root of [one, two]) {
    strictEqual(
      await Deno.readTextFile(`${root.path}/etc/foundationdb/fdb.cluster`),
      "skiff:abc123@10.0.0.1:4500,10.0.0.2:4500\n",
    );
    assertIncludes(
      await Deno.readTextFile(`${root.path}/etc/sysctl.d/99-skiff.conf`),
      "vm.swappiness = 1\n",
    );
    assertIncludes(
      await Deno.readTextFile(`${root.path}/etc/ssh/sshd_config`),
      "PermitRootLogin no\n",
    );
    strictEqual(
      await Deno.readTextFile(`${root.path}/home/admin/.ssh/authorized_keys`),
      `${KEY}\n`,
    );
    assertIncludes(
      await Deno.readTextFile(`${root.path}/etc/webapp/app.conf`),
      "server_name = www.example.com\n",
    );
  }
  strictEqual(await Deno.readTextFile(`${one.path}/etc/hostname`), "fdb1.example.com\n");
  const second = await deploy();
  strictEqual(second.code, 0, second.stdout + second.stderr);
  assertExcludes(second.stdout, ": changed");
  assertIncludes(second.stdout, "[fdb2] server.shell Restart webapp: skipped (_if is false)");
});
