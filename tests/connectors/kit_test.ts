import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { CONNECTOR_KIT } from "../../connectors/kit.ts";
import { builtinRegistry } from "../../connectors/builtin.ts";
import { InputError } from "../../lib/core/errors.ts";
import { loadUserConnectors } from "../../lib/inventory/load.ts";
import { tempDir } from "../helpers/temp.ts";

const KIT_MODULE = `export default (kit) => class Mine extends kit.BaseConnector {
  static connectorName = "mine";
  static dataMeta = { mine_x: { description: "x", type: "string", default: "d" } };
  static *makeNamesData(arg) { yield { name: "@mine/" + arg, data: {}, groups: ["@mine"] }; }
  async runShellCommand(command, options = {}) {
    const { connector, command: wrapping } = kit.extractControlArguments(options);
    const exec = kit.makeUnixCommand(command, wrapping).renderForExec();
    const r = await kit.runProcess(["sh", "-c", exec.text], { env: exec.secretEnv, timeout: connector._timeout });
    return { success: r.exitCode === 0, exitCode: r.exitCode, output: r.output };
  }
  putFile() { return Promise.resolve(false); }
  getFile() { return Promise.resolve(false); }
};
`;

Deno.test("loadUserConnectors() calls a default-exported function with the kit", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("mine.ts"), KIT_MODULE);
  const registry = await loadUserConnectors([dir.join("mine.ts")], builtinRegistry());
  const cls = registry.get("mine");
  strictEqual(cls.connectorName, "mine");
  strictEqual(Object.getPrototypeOf(cls), CONNECTOR_KIT.BaseConnector);
  const host = new cls({ name: "@mine/a", data: {}, groups: [] }, {
    runProcess: CONNECTOR_KIT.runProcess,
  });
  deepStrictEqual(host.data, { mine_x: "d" });
  const result = await host.runShellCommand('echo "$A"', { _env: { A: "it's" } });
  deepStrictEqual([result.exitCode, result.output.stdout], [0, "it's"]);
});

Deno.test("loadUserConnectors() refuses a default function that returns no connector class", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("bad.ts"), "export default (kit) => kit.sh;\n");
  await rejects(
    loadUserConnectors([dir.join("bad.ts")], builtinRegistry()),
    new InputError(
      `Connector module ${
        dir.join("bad.ts")
      } failed to load: its default export is a function of the kit that did not return a connector class (a class extending kit.BaseConnector with a static connectorName)`,
    ),
  );
});

Deno.test("the kit holds exactly the documented values", () => {
  deepStrictEqual(Object.keys(CONNECTOR_KIT), [
    "BaseConnector",
    "ConnectError",
    "extractControlArguments",
    "makeUnixCommand",
    "sh",
    "raw",
    "secret",
    "Command",
    "CommandOutput",
    "runProcess",
  ]);
  strictEqual(Object.isFrozen(CONNECTOR_KIT), true);
});

Deno.test("loadUserConnectors() still loads a class that imports skiff's files by path", async () => {
  await using dir = await tempDir();
  const base = new URL("../../connectors/base.ts", import.meta.url).href;
  await Deno.writeTextFile(
    dir.join("old.ts"),
    `import { BaseConnector } from "${base}";
export class Old extends BaseConnector {
  static connectorName = "old";
  static *makeNamesData() { yield { name: "@old", data: {}, groups: [] }; }
  runShellCommand() { return Promise.reject(new Error("unused")); }
  putFile() { return Promise.resolve(false); }
  getFile() { return Promise.resolve(false); }
}
`,
  );
  const registry = await loadUserConnectors([dir.join("old.ts")], builtinRegistry());
  strictEqual(Object.getPrototypeOf(registry.get("old")), CONNECTOR_KIT.BaseConnector);
});
