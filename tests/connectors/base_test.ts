import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { hostToConnectorData } from "../../connectors/base.ts";
import { builtinRegistry } from "../../connectors/builtin.ts";
import { splitTarget } from "../../connectors/registry.ts";
import { SecretValue } from "../../lib/core/command.ts";

const demo = {
  connectorName: "demo",
  dataMeta: {
    demo_port: { description: "Port", type: "integer", default: 22 },
    demo_user: { description: "User", type: "string" },
    demo_password: { description: "Password", type: "string", secret: true },
    demo_mode: { description: "Mode", type: "string", choices: ["a", "b"], default: "a" },
  },
} as const;

function host(data: Record<string, unknown>) {
  return { name: "web1", data, groups: [] };
}

Deno.test("hostToConnectorData() applies defaults and picks only its keys", () => {
  deepStrictEqual(hostToConnectorData(demo, host({ demo_user: "u", other: 1, _sudo: true })), {
    demo_port: 22,
    demo_user: "u",
    demo_mode: "a",
  });
});

Deno.test("hostToConnectorData() takes text that spells a number exactly (as !env gives it)", () => {
  deepStrictEqual(hostToConnectorData(demo, host({ demo_port: "2222", demo_user: "007" })), {
    demo_port: 2222,
    demo_user: "007",
    demo_mode: "a",
  });
  throws(() => hostToConnectorData(demo, host({ demo_port: "22.5" })), {
    message: `Host "web1": demo_port: expected an integer, got "22.5"`,
  });
});

Deno.test("hostToConnectorData() rejects bad types and unknown prefixed keys", async (t) => {
  await t.step(
    "type",
    () =>
      throws(() => hostToConnectorData(demo, host({ demo_port: "twenty" })), {
        name: "InputError",
        message: `Host "web1": demo_port: expected an integer, got "twenty"`,
      }),
  );
  await t.step("choices", () =>
    throws(() => hostToConnectorData(demo, host({ demo_mode: "c" })), {
      message: `Host "web1": demo_mode: expected one of "a", "b", got "c"`,
    }));
  await t.step(
    "unknown key with hint",
    () =>
      throws(() => hostToConnectorData(demo, host({ demo_prot: 1 })), {
        message: `Host "web1": unknown demo data key "demo_prot" (did you mean "demo_port"?)`,
      }),
  );
  await t.step(
    "unknown key without hint",
    () =>
      throws(() => hostToConnectorData(demo, host({ demo_zzzzzzzzzz: 1 })), {
        message: `Host "web1": unknown demo data key "demo_zzzzzzzzzz"`,
      }),
  );
});

Deno.test("hostToConnectorData() wraps secret keys so they print as ***", () => {
  const data = hostToConnectorData(demo, host({ demo_password: "hunter2" }));
  strictEqual(data.demo_password instanceof SecretValue, true);
  strictEqual(JSON.stringify(data.demo_password), '"***"');
});

Deno.test("splitTarget() separates connector and argument", () => {
  deepStrictEqual(splitTarget("@local"), { name: "local", arg: undefined });
  deepStrictEqual(splitTarget("@ssh/web1"), { name: "ssh", arg: "web1" });
  deepStrictEqual(splitTarget("@chroot/srv/root"), { name: "chroot", arg: "srv/root" });
  deepStrictEqual(splitTarget("deploy@10.0.0.5:2222"), {
    name: "ssh",
    arg: "deploy@10.0.0.5:2222",
  });
});

Deno.test("ConnectorRegistry.resolve() lists known connectors for an unknown one", () => {
  const registry = builtinRegistry();
  throws(() => registry.resolve("@lokal"), {
    name: "InputError",
    message: `Unknown connector "@lokal" (did you mean "local"?): known connectors are ${
      registry.list().map((c) => `@${c.connectorName}`).join(", ")
    }`,
  });
});

Deno.test("ConnectorRegistry.expand() yields @local in the @local group", async () => {
  const hosts = await builtinRegistry().expand("@local");
  deepStrictEqual(hosts.map(({ name, data, groups }) => ({ name, data, groups })), [
    { name: "@local", data: {}, groups: ["@local"] },
  ]);
  await builtinRegistry().expand("@local/x").then(
    () => {
      throw new Error("expected an error");
    },
    (error) => strictEqual(error.message, `@local takes no argument, got "@local/x"`),
  );
});
