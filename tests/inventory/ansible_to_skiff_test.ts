import { deepStrictEqual, throws } from "node:assert/strict";
import { SecretValue } from "../../lib/core/command.ts";
import { loadAnsibleInventory, parseAnsibleInventory } from "../../lib/inventory/boats/ansible.ts";
import { runSkiff } from "../helpers/cli.ts";
import { assertExcludes } from "../helpers/assert_text.ts";
import { tempDir } from "../helpers/temp.ts";

const CORPUS = new URL("./ansible_corpus/", import.meta.url).pathname;
const MAPPING = `[local]
control ansible_connection=local

[containers]
app ansible_connection=docker ansible_host=app-container

[servers]
s2 ansible_sudo_pass=sekret2 ansible_become=y ansible_ssh_pass=sekret3 ansible_port=2201
`;

/** Host data with secrets shown as `secret(…)`, for exact comparison. */
function shown(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [
      key,
      value instanceof SecretValue ? `secret(${value.reveal()})` : value,
    ]),
  );
}

Deno.test("the ansible boat maps connection, aliases and become to skiff data", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("hosts.ini"), MAPPING);
  const { hosts, groups } = await loadAnsibleInventory(dir.join("hosts.ini"));
  deepStrictEqual(shown(hosts.control), { connector: "@local" });
  deepStrictEqual(shown(hosts.app), { connector: "@docker/app-container" });
  // Ansible's config manager reads the last alias that is set: ansible_ssh_host, ansible_ssh_user.
  deepStrictEqual(shown(hosts.s2), {
    ssh_port: 2201,
    ssh_password: "secret(sekret3)",
    _sudo: true,
    _sudo_password: "secret(sekret2)",
  });
  deepStrictEqual(groups, { local: ["control"], containers: ["app"], servers: ["s2"] });
  throws(
    () => parseAnsibleInventory("[s]\nh ansible_connection=winrm\n", "inv"),
    {
      name: "InputError",
      message:
        'inv: host h: ansible_connection "winrm" has no skiff connector (local, docker and ssh do)',
    },
  );
});

Deno.test("the ansible boat takes su become without a password, and refuses one with", () => {
  deepStrictEqual(
    parseAnsibleInventory(
      "[s]\nh ansible_host=10.0.0.7 ansible_ssh_host=10.0.0.8 ansible_user=u1 ansible_ssh_user=u2 ansible_become=on ansible_become_method=su ansible_become_user=postgres\n",
      "inv",
    ).hosts.h,
    { ssh_hostname: "10.0.0.8", ssh_user: "u2", _su_user: "postgres" },
  );
  throws(
    () =>
      parseAnsibleInventory(
        "[s]\nh ansible_become=yes ansible_become_method=su ansible_become_pass=x\n",
        "inv",
      ),
    {
      name: "InputError",
      message:
        "inv: host h: become with su and a password is not supported: su reads it from a terminal; use sudo or doas, or a rule that needs no password",
    },
  );
  deepStrictEqual(
    parseAnsibleInventory("[s]\nh ansible_become=no ansible_become_pass=x ansible_port=22\n", "inv")
      .hosts.h,
    { ssh_port: 22 },
  );
});

Deno.test("the ansible boat names a children cycle instead of overflowing the stack", () => {
  throws(() => parseAnsibleInventory("[a:children]\nb\n[b:children]\na\n[a]\nh1\n", "inv"), {
    name: "InputError",
    message: "Ansible inventory: groups form a cycle: a -> b -> a",
  });
});

Deno.test("a fleet's ansible boat brings group_vars and host_vars, and fleet show masks passwords", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("hosts.ini"), MAPPING);
  const fleet = dir.join("fleet.yml");
  await Deno.writeTextFile(
    fleet,
    `fleet:\n  boats:\n    - provider: ansible\n      config: {path: hosts.ini}\n    - provider: ansible\n      name: second\n      config: {path: ${CORPUS}group_host_vars/inventory}\n`,
  );
  const run = await runSkiff(["fleet", "show", fleet, "--json"]);
  deepStrictEqual(run.code, 0, run.stderr);
  const shownHosts = JSON.parse(run.stdout).hosts as {
    name: string;
    data: Record<string, unknown>;
    connector: string;
  }[];
  const byName = Object.fromEntries(shownHosts.map((h) => [h.name, h]));
  deepStrictEqual(byName.control.connector, "local");
  deepStrictEqual(byName.web1.data.web_a, "overridden");
  deepStrictEqual(byName.db1.data.ssh_user, "dbadmin");
  deepStrictEqual(byName.s2.data._sudo_password, "***");
  assertExcludes(run.stdout, "sekret");
});
