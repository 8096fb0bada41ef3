import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { builtinRegistry } from "../../connectors/builtin.ts";
import { parseAnsibleInventory } from "../../lib/inventory/boats/ansible.ts";
import { terraformHosts } from "../../lib/inventory/boats/builtin.ts";
import { SecretValue } from "../../lib/core/command.ts";
import { loadInventory } from "../../lib/inventory/load.ts";
import { fleetJsonSchema } from "../../lib/inventory/parse.ts";
import { runProcess } from "../../lib/process.ts";
import { tempDir } from "../helpers/temp.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

async function load(
  dir: string,
  text: string,
  extra: Partial<Parameters<typeof loadInventory>[1]> = {},
) {
  await Deno.writeTextFile(`${dir}/f.yml`, text);
  return await loadInventory(["f.yml"], {
    registry: builtinRegistry(),
    cwd: dir,
    env: (name) => ({ SKIFF_PORT: "2200" } as Record<string, string>)[name],
    runProcess,
    ...extra,
  });
}

const BAD: [string, string, string][] = [
  [
    "bad YAML",
    "fleet:\n  hosts: [a\n",
    "f.yml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  [
    "wrong type",
    "fleet:\n  hosts:\n    web1:\n      ssh_port: twenty\n",
    `f.yml:4:7: fleet.hosts.web1.ssh_port: expected an integer, got "twenty"`,
  ],
  [
    "unknown key",
    "fleet:\n  hostz: {}\n",
    `f.yml:2:3: fleet.hostz: unknown key (did you mean "hosts"?)`,
  ],
  [
    "unknown group key",
    "fleet:\n  groups:\n    web: {hosts: [a], date: {}}\n",
    `f.yml:3:23: fleet.groups.web.date: unknown key (did you mean "data"?)`,
  ],
  [
    "unknown connector",
    `fleet:\n  hosts:\n    "@dokker/x": {}\n`,
    `f.yml:3:5: Unknown connector "@dokker" (did you mean "docker"?): known connectors are @chroot, @docker, @dockerssh, @local, @podman, @ssh`,
  ],
  [
    "missing env",
    "fleet:\n  hosts:\n    web1: {ssh_user: !env SKIFF_NOPE}\n",
    "f.yml:3:22: !env SKIFF_NOPE: the variable is not set (or skiff may not read it: only HOME, USER, LOGNAME, SSH_AUTH_SOCK, TERM and SKIFF_* variables are visible); give a default with !env SKIFF_NOPE:-VALUE",
  ],
  [
    "duplicate host",
    "fleet:\n  hosts:\n    - web1\n    - web1\n",
    `f.yml:4:7: host "web1" is defined twice (first at f.yml:3:7)`,
  ],
  ["duplicate key", "fleet:\n  hosts:\n    web1: {}\n    web1: {}\n", "f.yml:4:5: duplicate key"],
  [
    "unknown strategy",
    "fleet:\n  strategy: lockstep\n",
    'f.yml:2:3: fleet.strategy: expected "free" or "linear"',
  ],
  [
    "serial that is neither a count nor a percentage",
    "fleet:\n  serial: half\n",
    "f.yml:2:3: fleet.serial: expected a number of hosts or a percentage such as 40%",
  ],
  [
    "negative parallelism",
    "fleet:\n  parallelism: -1\n",
    "f.yml:2:3: fleet.parallelism: expected at least 0, got -1",
  ],
  [
    "unknown data key",
    "fleet:\n  hosts:\n    web1: {ssh_prot: 22}\n",
    `f.yml:3:12: fleet.hosts.web1.ssh_prot: unknown ssh data key "ssh_prot" (did you mean "ssh_port"?)`,
  ],
  [
    "bad control argument",
    `fleet:\n  hosts:\n    "@local": {_sudo: "yes"}\n`,
    `f.yml:3:16: fleet.hosts.@local._sudo: expected a boolean (true or false), got "yes"`,
  ],
  ["no fleet key", "hosts: {}\n", "f.yml:1:1: no fleet: key (top-level keys are hosts)"],
  ["empty file", "", "f.yml:1:1: the file is empty: expected a fleet: key"],
  [
    "bad boat output",
    `fleet:\n  boats:\n    - provider: command\n      config: {command: "echo '[1, 2]'"}\n`,
    "f.yml:3:7: boat command failed: boat command: expected host names in the list, got 1",
  ],
  [
    "boat command fails",
    `fleet:\n  boats:\n    - provider: command\n      config: {command: "echo boom >&2; exit 3"}\n`,
    "f.yml:3:7: boat command failed: boat command: the command failed with exit code 3: echo boom >&2; exit 3\nboom",
  ],
  [
    "boat command hangs",
    `fleet:\n  boats:\n    - provider: command\n      config: {command: "sleep 30", timeout: 0.5}\n`,
    "f.yml:3:7: boat command failed: boat command: the command did not finish within 0.5 s: sleep 30",
  ],
  [
    "host from a boat and the fleet",
    `fleet:\n  hosts:\n    app1: {}\n  boats:\n    - provider: command\n      config: {command: "echo '{app1: {}}'"}\n`,
    `Host "app1" is defined twice: at f.yml:3:5 and by boat command (f.yml:5:7)`,
  ],
  [
    "bad restriction",
    `fleet:\n  hosts:\n    "@local": {}\n  restrictions:\n    allow_list: {"@local": {web: yes please}}\n`,
    `f.yml:5:29: fleet.restrictions.allow_list.@local.web: expected boolean, got "yes please"`,
  ],
  [
    "restriction of an unknown host",
    `fleet:\n  hosts:\n    "@local": {}\n  restrictions:\n    black_list: {ghost: {}}\n`,
    `f.yml:5:18: restrictions name host "ghost", which is not in the fleet (hosts: @local)`,
  ],
  [
    "group as a list",
    "fleet:\n  groups:\n    web: [a, b]\n",
    "f.yml:3:5: fleet.groups.web: expected object, got a list",
  ],
  [
    "unknown boat provider",
    "fleet:\n  boats:\n    - provider: consul\n",
    `f.yml:3:7: boat consul failed: Unknown boat provider "consul": built in are command, file, terraform and ansible, or give a path to a .ts module`,
  ],
];

Deno.test("fleet files: every bad input is an InputError with file, line, column and key path", async (t) => {
  await using dir = await tempDir();
  for (const [name, text, message] of BAD) {
    await t.step(name, async () => {
      const started = Date.now();
      await rejects(load(dir.path, text), { name: "InputError", message });
      strictEqual(Date.now() - started < 5000, true);
    });
  }
  await t.step("bad !file path", async () => {
    await rejects(load(dir.path, "fleet:\n  hosts:\n    web1: {ssh_key: !file nope.key}\n"), {
      name: "InputError",
      message: new RegExp(
        `^f\\.yml:3:21: !file nope\\.key: cannot read ${dir.path}/nope\\.key: No such file`,
      ),
    });
  });
  await t.step("a limit that matches nothing", async () => {
    await rejects(load(dir.path, `fleet:\n  hosts:\n    "@local": {}\n`, { limits: ["web"] }), {
      message: `--limit "web" matches no host or group: groups are @local, all; hosts are @local`,
    });
  });
});

Deno.test("fleet data precedence: CLI > host > groups (later wins) > fleet data > name-derived", async () => {
  await using dir = await tempDir();
  const inventory = await load(
    dir.path,
    `fleet:
  data: {a: fleet, b: fleet, c: fleet, d: fleet, ssh_user: fleet}
  hosts:
    deploy@web1:2222: {a: host, ssh_user: hostuser, secret_thing: !secret s3cret, port: !env SKIFF_PORT, other: !env NOPE:-fallback}
  groups:
    first: {hosts: ["deploy@web1:2222"], data: {a: g1, b: g1, c: g1}}
    second: {hosts: ["deploy@web1:2222"], data: {b: g2}}
app: {workers: 4}
`,
    { cliData: { c: "cli" } },
  );
  strictEqual(inventory.hosts.length, 1);
  const host = inventory.hosts[0];
  strictEqual(host.name, "deploy@web1:2222");
  deepStrictEqual(host.groups, ["all", "@ssh", "first", "second"]);
  const data = { ...host.data } as Record<string, unknown>;
  strictEqual(data.secret_thing instanceof SecretValue, true);
  delete data.secret_thing;
  deepStrictEqual(data, {
    ssh_hostname: "web1",
    ssh_user: "hostuser",
    ssh_port: 2222,
    a: "host",
    b: "g2",
    c: "cli",
    d: "fleet",
    port: "2200",
    other: "fallback",
  });
  deepStrictEqual(inventory.config, { app: { workers: 4 } });
});

Deno.test("several fleet files merge in order and --limit takes groups, hosts and globs", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("a.yml"),
    `fleet:\n  hosts:\n    web1: {x: a}\n    web2: {}\n  groups:\n    web: {hosts: [web1, web2]}\n`,
  );
  await Deno.writeTextFile(
    dir.join("b.yml"),
    `fleet:\n  parallelism: 3\n  serial: 40%\n  strategy: linear\n  hosts:\n    web1: {x: b}\n    db1: {}\n`,
  );
  const options = { registry: builtinRegistry(), cwd: dir.path, env: () => undefined, runProcess };
  const all = await loadInventory(["a.yml,b.yml"], options);
  deepStrictEqual(all.hosts.map((h) => [h.name, h.data.x]), [["web1", "b"], ["web2", undefined], [
    "db1",
    undefined,
  ]]);
  strictEqual(all.parallelism, 3);
  deepStrictEqual([all.serial, all.strategy], ["40%", "linear"]);
  const limited = await loadInventory(["a.yml", "b.yml"], { ...options, limits: ["web", "db*"] });
  deepStrictEqual(limited.hosts.map((h) => h.name), ["web1", "web2", "db1"]);
  const one = await loadInventory(["a.yml,b.yml"], { ...options, limits: ["web2"] });
  deepStrictEqual(one.hosts.map((h) => h.name), ["web2"]);
  const classes = await loadInventory(["a.yml,b.yml"], { ...options, limits: ["[dw]*1"] });
  deepStrictEqual(classes.hosts.map((h) => h.name), ["web1", "db1"]);
  const negated = await loadInventory(["a.yml,b.yml"], { ...options, limits: ["web[!2]"] });
  deepStrictEqual(negated.hosts.map((h) => h.name), ["web1"]);
  const range = await loadInventory(["a.yml,b.yml"], { ...options, limits: ["web[2-9]"] });
  deepStrictEqual(range.hosts.map((h) => h.name), ["web2"]);
  await rejects(loadInventory(["a.yml,b.yml"], { ...options, limits: ["web[3-9]"] }), {
    name: "InputError",
    message:
      '--limit "web[3-9]" matches no host or group: groups are @ssh, all, web; hosts are web1, web2, db1',
  });
});

Deno.test("ansible inventories (INI and YAML) become hosts, groups and ssh data", async (t) => {
  await t.step("INI", () => {
    const result = parseAnsibleInventory(
      `# comment
[web]
web[01:02].example ansible_host=10.0.0.5 ansible_port=2222
[db]
db1 ansible_user=postgres ansible_ssh_private_key_file=/keys/db ansible_password=pw

[prod:children]
web
db

[prod:vars]
env=prod
ansible_user=deploy

[web:vars]
nginx_port=8080
`,
      "inv",
    );
    deepStrictEqual(result.groups, {
      prod: ["db1", "web01.example", "web02.example"],
      db: ["db1"],
      web: ["web01.example", "web02.example"],
    });
    deepStrictEqual(result.hosts["web01.example"], {
      env: "prod",
      ssh_user: "deploy",
      nginx_port: 8080,
      ssh_hostname: "10.0.0.5",
      ssh_port: 2222,
    });
    const db = result.hosts.db1 as Record<string, unknown>;
    strictEqual(db.ssh_password instanceof SecretValue, true);
    deepStrictEqual([db.ssh_user, db.ssh_key, db.env], ["postgres", "/keys/db", "prod"]);
  });
  await t.step("YAML", () => {
    const result = parseAnsibleInventory(
      `all:
  vars: {ntp: pool}
  children:
    web:
      hosts:
        web1: {ansible_host: 10.0.0.9}
      vars: {tier: front}
    db:
      hosts:
        db1:
`,
      "inv",
    );
    deepStrictEqual(result.groups, { db: ["db1"], web: ["web1"] });
    deepStrictEqual(result.hosts.web1, { ntp: "pool", tier: "front", ssh_hostname: "10.0.0.9" });
  });
  await t.step("through a fleet boat", async () => {
    await using dir = await tempDir();
    await Deno.writeTextFile(dir.join("hosts.ini"), "[web]\nweb1 ansible_host=10.0.0.5\n");
    const inventory = await load(
      dir.path,
      `fleet:\n  boats:\n    - provider: ansible\n      config: {path: hosts.ini}\n`,
    );
    deepStrictEqual(inventory.groups.web, ["web1"]);
    strictEqual(inventory.hosts[0].data.ssh_hostname, "10.0.0.5");
  });
});

Deno.test("terraform boat reads outputs with pyinfra-style key lookup", () => {
  const output = {
    web_hosts: {
      sensitive: false,
      type: ["list", "string"],
      value: ["10.0.0.1", { name: "app", ssh_hostname: "10.0.0.2" }],
    },
  };
  deepStrictEqual(terraformHosts(output, "web_hosts", "boat terraform").hosts, {
    "10.0.0.1": { ssh_hostname: "10.0.0.1" },
    app: { ssh_hostname: "10.0.0.2" },
  });
});

Deno.test("optional boats warn and continue; user connectors and boats load from modules", async () => {
  await using dir = await tempDir();
  const warnings: string[] = [];
  const inventory = await load(
    dir.path,
    `fleet:
  connectors: [${ROOT}fleets/examples/echo_connector.ts]
  hosts:
    "@echo/a+b": {echo_greeting: hi}
  boats:
    - provider: command
      optional: true
      config: {command: "exit 1"}
    - provider: ${ROOT}fleets/examples/static_boat.ts
      config: {names: [cache1]}
`,
    { warn: (m) => warnings.push(m) },
  );
  deepStrictEqual(inventory.hosts.map((h) => [h.name, h.connector.connectorName]), [
    ["@echo/a", "echo"],
    ["@echo/b", "echo"],
    ["cache1", "ssh"],
  ]);
  deepStrictEqual(warnings, [
    "warning: f.yml:6:7: boat command failed: boat command: the command failed with exit code 1: exit 1 (optional, skipped)",
  ]);
  strictEqual(inventory.hosts[2].data.ssh_hostname, "cache1.internal");
  const host = inventory.hosts[0];
  const connector = new host.connector(host, { runProcess });
  await connector.connect();
  const result = await connector.runShellCommand(`printf %s "$ECHO_HOST"`, { _env: { X: "1" } });
  strictEqual(result.output.stdout, "a");
  await rejects(
    load(
      dir.path,
      `fleet:\n  connectors: [${ROOT}fleets/examples/echo_connector.ts]\n  hosts:\n    "@echo/x": {echo_greting: 1}\n`,
    ),
    {
      message:
        `f.yml:4:17: fleet.hosts.@echo/x.echo_greting: unknown echo data key "echo_greting" (did you mean "echo_greeting"?)`,
    },
  );
});

Deno.test("the example fleets in fleets/ are valid", async () => {
  const options = { registry: builtinRegistry(), cwd: ROOT, env: () => undefined, runProcess };
  deepStrictEqual((await loadInventory(["fleets/local.yml"], options)).hosts.map((h) => h.name), [
    "@local",
  ]);
  const ssh = await loadInventory(["fleets/ssh.yml"], options);
  deepStrictEqual(ssh.hosts.map((h) => [h.name, h.data.ssh_user, h.data._sudo]), [
    ["web1", "deploy", true],
    ["web2", "deploy", true],
    ["db1", "postgres", false],
  ]);
  deepStrictEqual((await loadInventory(["fleets/boat.yml"], options)).hosts.map((h) => h.name), [
    "@local",
    "app1",
    "app2",
    "cache1",
  ]);
});

Deno.test("fleetJsonSchema() describes the fleet key", () => {
  const schema = fleetJsonSchema() as {
    $schema: string;
    properties: { fleet: { properties: Record<string, unknown> } };
  };
  strictEqual(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  deepStrictEqual(Object.keys(schema.properties.fleet.properties).sort(), [
    "allow_read",
    "allow_write",
    "boats",
    "connectors",
    "data",
    "groups",
    "hosts",
    "parallelism",
    "restrictions",
    "serial",
    "strategy",
  ]);
});

Deno.test("user boats run sandboxed: no reads outside their directory, no sockets, no processes", async () => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  await Deno.writeTextFile(outside.join("id_ed25519"), "secret key");
  await Deno.mkdir(dir.join("boats"));
  await Deno.writeTextFile(
    dir.join("boats/probe.ts"),
    `const attempt = async (fn) => { try { await fn(); return "allowed"; } catch (e) { return e.name; } };
export default {
  name: "probe",
  async hosts() {
    return {
      probe1: {
        read: await attempt(() => Deno.readTextFile(${JSON.stringify(outside.join("id_ed25519"))})),
        net: await attempt(() => Deno.connect({ hostname: "127.0.0.1", port: 9 })),
        run: await attempt(() => new Deno.Command("id").output()),
        own: await Deno.readTextFile(new URL("./data.txt", import.meta.url)),
      },
    };
  },
};
`,
  );
  await Deno.writeTextFile(dir.join("boats/data.txt"), "mine");
  const inventory = await load(dir.path, `fleet:\n  boats:\n    - provider: ./boats/probe.ts\n`);
  const { read, net, run, own } = inventory.hosts[0].data;
  deepStrictEqual({ read, net, run, own }, {
    read: "NotCapable",
    net: "NotCapable",
    run: "NotCapable",
    own: "mine",
  });
});
