import { deepStrictEqual, throws } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { applyLimits, type Limits } from "../../lib/inventory/limits.ts";

const host = (name: string) => ({ name, data: {}, groups: ["all"], connector: LocalConnector });
const NAMES = ["web1", "web2", "web10", "web", "db1", "cache-a"];
const INVENTORY = {
  hosts: NAMES.map(host),
  config: {},
  groups: {
    all: NAMES,
    webservers: ["web1", "web2", "web10"],
    databases: ["db1"],
    caches: ["cache-a"],
  },
};

const names = (limits: Limits) => applyLimits(INVENTORY, limits).hosts.map((h) => h.name);

Deno.test("applyLimits() keeps what --limit names and drops what --exclude names", async (t) => {
  const table: [string, Limits, string[]][] = [
    ["no limits keep every host", {}, NAMES],
    ["a host name", { limit: ["db1"] }, ["db1"]],
    ["a group name", { limit: ["databases"] }, ["db1"]],
    ["? matches exactly one character", { limit: ["web?"] }, ["web1", "web2"]],
    ["* matches any run, even empty", { limit: ["web*"] }, ["web1", "web2", "web10", "web"]],
    ["a class", { limit: ["web[2-9]"] }, ["web2"]],
    ["a negated class", { limit: ["web[!1]"] }, ["web2"]],
    ["a glob over group names", { limit: ["data*"] }, ["db1"]],
    ["? over group names", { limit: ["cache?"] }, ["cache-a"]],
    ["comma-separated and repeated", { limit: ["db1,web2", "caches"] }, [
      "web2",
      "db1",
      "cache-a",
    ]],
    ["exclude alone", { exclude: ["webservers"] }, ["web", "db1", "cache-a"]],
    ["limit then exclude", { limit: ["web*"], exclude: ["web1?"] }, ["web1", "web2", "web"]],
    ["overlapping patterns", { limit: ["webservers", "web*"] }, ["web1", "web2", "web10", "web"]],
  ];
  for (const [name, limits, expected] of table) {
    await t.step(name, () => deepStrictEqual(names(limits), expected));
  }
});

Deno.test("applyLimits() refuses a pattern that matches no host", async (t) => {
  const list = "groups are all, caches, databases, webservers; " +
    "hosts are web1, web2, web10, web, db1, cache-a";
  await t.step("? does not match two characters", () =>
    throws(() => names({ limit: ["db??"] }), {
      name: "InputError",
      message: `--limit "db??" matches no host or group: ${list}`,
    }));
  await t.step("? does not match none", () =>
    throws(() => names({ limit: ["cache-a?"] }), {
      message: `--limit "cache-a?" matches no host or group: ${list}`,
    }));
  await t.step("exclude", () =>
    throws(() => names({ exclude: ["mail*"] }), {
      message: `--exclude "mail*" matches no host or group: ${list}`,
    }));
});
