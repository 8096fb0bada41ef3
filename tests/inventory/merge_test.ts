import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { builtinRegistry } from "../../connectors/builtin.ts";
import {
  type BoatResult,
  collectFleets,
  type ExpandedName,
  type FleetDocument,
  mergeFleets,
  mergeTargets,
} from "../../lib/inventory/merge.ts";
import { inventoryFromNames } from "../../lib/inventory/inventory.ts";
import { parseFleet } from "../../lib/inventory/parse.ts";
import { restrictionReason } from "../../lib/inventory/restrictions.ts";

const IO = { env: () => undefined, readText: () => "", dir: "/fleets" };

function doc(text: string, name = "f.yml", boats: BoatResult[] = []): FleetDocument {
  return { fleet: parseFleet(text, name, IO), boats };
}

/** Expands every pending name with the built-in connectors, as load.ts does. */
async function merge(documents: FleetDocument[], cliData?: Record<string, unknown>) {
  const collected = collectFleets(documents);
  const registry = builtinRegistry();
  const expansions = new Map<string, ExpandedName[]>();
  for (const host of collected.hosts) expansions.set(host.name, await registry.expand(host.name));
  return mergeFleets(collected, { expansions, cliData });
}

Deno.test("mergeFleets() layers data: --data > host > groups in order > fleet > connector", async () => {
  const inventory = await merge([
    doc(`fleet:
  data: {level: fleet, fleet_only: 1, ssh_hostname: from-fleet}
  groups:
    first: {hosts: [web1], data: {level: first, first_only: 2}}
    second: {hosts: [web1], data: {level: second}}
  hosts:
    web1: {host_only: 3}
    web2: {level: host}
`),
  ], { cli_only: 4 });
  deepStrictEqual(inventory.hosts.map((h) => [h.name, h.data]), [
    ["web1", {
      ssh_hostname: "from-fleet",
      level: "second",
      fleet_only: 1,
      first_only: 2,
      host_only: 3,
      cli_only: 4,
    }],
    ["web2", { ssh_hostname: "from-fleet", level: "host", fleet_only: 1, cli_only: 4 }],
  ]);
  deepStrictEqual(inventory.hosts.map((h) => h.groups), [
    ["all", "@ssh", "first", "second"],
    ["all", "@ssh"],
  ]);
  deepStrictEqual(inventory.groups, {
    all: ["web1", "web2"],
    "@ssh": ["web1", "web2"],
    first: ["web1"],
    second: ["web1"],
  });
  deepStrictEqual(inventory.sources, { web1: "f.yml:7:5", web2: "f.yml:8:5" });
});

Deno.test("mergeFleets() lets the more specific data layer replace privilege as a whole", async () => {
  const inventory = await merge([
    doc(`fleet:
  data: {_doas: true, _sudo_password: pw}
  groups:
    db: {hosts: [db1], data: {_su_user: postgres}}
  hosts:
    web1: {_sudo: true}
    db1: {}
    app1: {}
`),
  ], {});
  deepStrictEqual(
    inventory.hosts.map((h) => [h.name, h.data._doas, h.data._sudo, h.data._su_user]),
    [
      ["web1", undefined, true, undefined],
      ["db1", undefined, undefined, "postgres"],
      ["app1", true, undefined, undefined],
    ],
  );
  strictEqual(String(inventory.hosts[0].data._sudo_password), "***");
  const fromCli = await merge([doc("fleet:\n  hosts:\n    web1: {_sudo: true}\n")], {
    _doas: true,
  });
  deepStrictEqual(fromCli.hosts[0].data, { ssh_hostname: "web1", _doas: true });
});

Deno.test("mergeFleets() refuses two privilege methods set by one host", async () => {
  await throwsAsync(
    () => merge([doc("fleet:\n  hosts:\n    web1: {_sudo: true, _doas: true}\n")]),
    `f.yml:3:5: Host "web1": _sudo and _doas are both set: choose one, or nest them explicitly with _privilege_chain`,
  );
});

async function throwsAsync(fn: () => Promise<unknown>, message: string): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  strictEqual((caught as Error | undefined)?.message, message);
  strictEqual((caught as Error).name, "InputError");
}

Deno.test("collectFleets() merges files in order and adds boat hosts and groups", () => {
  const boat: BoatResult = {
    spec: { provider: "command", config: {}, optional: false, source: "b.yml:3:7", dir: "/" },
    found: { hosts: { app1: { role: "app" } }, groups: { apps: ["app1"] } },
  };
  const collected = collectFleets([
    doc("fleet:\n  parallelism: 2\n  hosts:\n    web1: {a: 1, b: 1}\n", "a.yml"),
    doc("fleet:\n  hosts:\n    web1: {b: 2}\ngreeting: hi\n", "b.yml", [boat]),
  ]);
  deepStrictEqual(
    collected.hosts.map((h) => [h.name, h.data, h.source]),
    [["web1", { a: 1, b: 2 }, "b.yml:3:5"], ["app1", { role: "app" }, "boat command (b.yml:3:7)"]],
  );
  deepStrictEqual(collected.groups, [{
    name: "apps",
    hosts: ["app1"],
    data: {},
    source: "boat command",
  }]);
  deepStrictEqual([collected.parallelism, collected.config], [2, { greeting: "hi" }]);
  throws(
    () =>
      collectFleets([
        doc("fleet:\n  hosts:\n    app1: {}\n", "b.yml", [boat]),
      ]),
    {
      name: "InputError",
      message: `Host "app1" is defined twice: at b.yml:3:5 and by boat command (b.yml:3:7)`,
    },
  );
});

Deno.test("mergeFleets() keeps an empty black_list entry, which blocks every deploy on that host", async () => {
  const inventory = await merge([
    doc(`fleet:
  hosts: {db1: {}, web1: {}}
  restrictions:
    black_list: {db1: {}}
    allow_list: {web1: {nginx: true}}
`),
  ]);
  deepStrictEqual(inventory.restrictions, {
    allow_list: { web1: { nginx: true } },
    black_list: { db1: {} },
  });
  deepStrictEqual(
    ["nginx", "postgres", "anything"].map((d) =>
      restrictionReason(inventory.restrictions, "db1", d)
    ),
    [
      "db1 is black-listed for every deploy",
      "db1 is black-listed for every deploy",
      "db1 is black-listed for every deploy",
    ],
  );
  deepStrictEqual(
    ["nginx", "postgres"].map((d) => restrictionReason(inventory.restrictions, "web1", d)),
    [null, "postgres is not in the allow list of web1"],
  );
  await throwsAsync(
    () => merge([doc("fleet:\n  hosts: {db1: {}}\n  restrictions:\n    black_list: {db2: {}}\n")]),
    `f.yml:4:18: restrictions name host "db2", which is not in the fleet (hosts: db1)`,
  );
});

Deno.test("mergeTargets() fills groups and sources for hosts named on the command line", async () => {
  const named = await inventoryFromNames("@local,web1", builtinRegistry(), {
    _sudo_password: "pw",
  });
  const inventory = mergeTargets(named);
  deepStrictEqual(inventory.groups, {
    all: ["@local", "web1"],
    "@local": ["@local"],
    "@ssh": ["web1"],
  });
  deepStrictEqual(inventory.sources, { "@local": "command line", web1: "command line" });
  strictEqual(String(inventory.hosts[1].data._sudo_password), "***");
});
