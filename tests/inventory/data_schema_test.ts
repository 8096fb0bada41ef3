import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { runSkiff } from "../helpers/cli.ts";

const ECHO = new URL("../../fleets/examples/echo_connector.ts", import.meta.url).pathname;

/** A validator of `skiff schema ARGS…`, answering with the failing paths and keywords. */
async function validator(...args: string[]): Promise<(doc: unknown) => string[]> {
  const run = await runSkiff(["schema", ...args]);
  strictEqual(run.code, 0, run.stderr);
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(run.stdout));
  return (doc) => {
    if (validate(doc)) return [];
    return [...new Set((validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`))];
  };
}

const fleet = (hosts: unknown, extra: Record<string, unknown> = {}) => ({
  fleet: { hosts, ...extra },
});

Deno.test("skiff schema knows the data keys: wrong types, typos and unknown connectors are flagged", async (t) => {
  const check = await validator();
  await t.step(
    "a fleet of known keys, text that spells a number, and the deploy's own keys passes",
    () => {
      deepStrictEqual(
        check(fleet(
          { web1: { ssh_hostname: "10.0.0.5", ssh_port: 2222, nginx_port: 8080 }, "@local": null },
          {
            data: { ssh_user: "deploy", _sudo: true },
            groups: { web: { hosts: ["web1"], data: { ssh_port: "2200" } } },
          },
        )),
        [],
      );
      deepStrictEqual(check(fleet(["@ssh/web1", { "@docker/app": { docker_user: "app" } }])), []);
    },
  );
  await t.step('ssh_port: "twenty"', () => {
    deepStrictEqual(check(fleet({ web1: { ssh_port: "twenty" } })), [
      "/fleet/hosts/web1/ssh_port type",
      "/fleet/hosts/web1/ssh_port pattern",
      "/fleet/hosts/web1/ssh_port anyOf",
      "/fleet/hosts/web1 type",
      "/fleet/hosts/web1 anyOf",
      "/fleet/hosts type",
      "/fleet/hosts anyOf",
    ]);
  });
  await t.step("a typo ssh_prot, in host, group and fleet data", () => {
    strictEqual(
      check(fleet({ web1: { ssh_prot: 22 } }))[0],
      "/fleet/hosts/web1/ssh_prot false schema",
    );
    strictEqual(
      check(fleet({}, { groups: { web: { data: { ssh_prot: 22 } } } }))[0],
      "/fleet/groups/web/data/ssh_prot false schema",
    );
    strictEqual(
      check(fleet({}, { data: { _sudo_usr: "x" } }))[0],
      "/fleet/data/_sudo_usr false schema",
    );
  });
  await t.step("an unknown @nosuchthing connector", () => {
    deepStrictEqual(
      check(fleet({ "@nosuchthing/x": null })).includes("/fleet/hosts propertyNames"),
      true,
    );
    deepStrictEqual(check(fleet(["@nosuchthing"])).includes("/fleet/hosts/0 anyOf"), true);
  });
  await t.step("an enum and its docs", async () => {
    const schema = JSON.parse((await runSkiff(["schema"])).stdout);
    const key = schema.$defs.data.properties.ssh_strict_host_key_checking;
    deepStrictEqual(key.enum, ["yes", "accept-new", "no"]);
    strictEqual(typeof key.description, "string");
  });
});

Deno.test("skiff schema --connector includes a user connector's keys and its @name", async () => {
  const without = await validator();
  const withEcho = await validator("--connector", ECHO);
  const doc = fleet({ "@echo/x": { echo_greeting: "hi" } });
  strictEqual(without(doc).includes("/fleet/hosts propertyNames"), true);
  deepStrictEqual(withEcho(doc), []);
  strictEqual(
    withEcho(fleet({ "@echo/x": { echo_greting: "hi" } }))[0],
    "/fleet/hosts/@echo~1x/echo_greting false schema",
  );
});
