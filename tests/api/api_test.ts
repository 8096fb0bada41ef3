import { deepStrictEqual } from "node:assert/strict";
import type {
  Command as DeployCommand,
  ControlArguments as DeployControlArguments,
  DeployContext,
  Interpolation as DeployInterpolation,
  RawValue as DeployRawValue,
  SecretValue as DeploySecretValue,
} from "../../lib/api/mod.ts";
import type {
  BaseConnector as ApiBaseConnector,
  CommandResult as ApiCommandResult,
  ConnectError as ApiConnectError,
  ConnectorClass as ApiConnectorClass,
  ConnectorContext as ApiConnectorContext,
  ConnectorKit,
  DataMeta as ApiDataMeta,
  ExecCommand as ApiExecCommand,
  NameData as ApiNameData,
  PutOptions as ApiPutOptions,
  RunOptions as ApiRunOptions,
} from "../../lib/api/mod.ts";
import {
  BaseConnector,
  type CommandResult,
  type ConnectorContext,
  type NameData,
  type PutOptions,
  type RunOptions,
} from "../../connectors/base.ts";
import { CONNECTOR_KIT } from "../../connectors/kit.ts";
import { LocalConnector } from "../../connectors/local.ts";
import { ConnectError } from "../../lib/core/errors.ts";
import { runProcess } from "../../lib/process.ts";
import type { ControlArguments } from "../../lib/core/arguments.ts";
import { Command, raw, secret, sh } from "../../lib/core/command.ts";

const API_DIR = new URL("../../lib/api/", import.meta.url);

/** Every module specifier a file imports or re-exports from. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]);
}

async function apiFiles(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(API_DIR)) {
    if (entry.isFile && entry.name.endsWith(".ts")) names.push(entry.name);
  }
  return names.sort();
}

Deno.test("lib/api imports nothing from outside lib/api", async () => {
  const outside: string[] = [];
  for (const name of await apiFiles()) {
    const source = await Deno.readTextFile(new URL(name, API_DIR));
    for (const specifier of specifiers(source)) {
      if (!/^\.\/[a-z_]+\.ts$/.test(specifier)) outside.push(`${name}: ${specifier}`);
    }
  }
  deepStrictEqual(outside, []);
});

Deno.test("lib/api/mod.ts re-exports every other file of lib/api", async () => {
  const reexported = specifiers(await Deno.readTextFile(new URL("mod.ts", API_DIR)))
    .map((specifier) => specifier.slice(2))
    .sort();
  deepStrictEqual(
    reexported,
    (await apiFiles()).filter((name) => name !== "mod.ts" && name !== "types.ts"),
  );
});

Deno.test("the classes of lib/core are what lib/api says a deploy gets", () => {
  // These assignments are the test: `deno check` fails when the shapes drift apart.
  const secretValue: DeploySecretValue = secret("hunter2");
  const rawValue: DeployRawValue = raw("$HOME");
  const command: DeployCommand = sh`echo ${secretValue.toString()}`;
  const parts: DeployInterpolation[] = [secret("x"), raw("y"), Command.of("z"), ["a", raw("b")]];
  const template: DeployContext["sh"] = sh;
  const control: DeployControlArguments = {
    _sudo_password: secret("pw"),
    _env: { A: raw("$B") },
  } satisfies ControlArguments;
  deepStrictEqual(
    [secretValue.toString(), rawValue.text, command.renderMasked(), parts.length],
    ["***", "$HOME", "echo '***'", 4],
  );
  deepStrictEqual(template`ls ${"a b"}`.render(), "ls 'a b'");
  deepStrictEqual(Object.keys(control), ["_sudo_password", "_env"]);
});

Deno.test("connectors/base.ts and the kit are what lib/api/connector.ts declares", () => {
  // These assignments are the test: `deno check` fails when the shapes drift apart.
  const kit: ConnectorKit = CONNECTOR_KIT;
  const base: typeof ApiBaseConnector = BaseConnector;
  const connectError: typeof ApiConnectError = ConnectError;
  const classes: ApiConnectorClass[] = [LocalConnector];
  const meta: ApiDataMeta = LocalConnector.dataMeta.local_persistent_shell;
  const names: ApiNameData[] = [{ name: "@local", data: {}, groups: [] } satisfies NameData];
  const run: ApiRunOptions = {} satisfies RunOptions;
  const put: ApiPutOptions = { mode: "644" } satisfies PutOptions;
  const result = (r: CommandResult): ApiCommandResult => r;
  const context: ApiConnectorContext = { runProcess } satisfies ConnectorContext;
  const made: ApiExecCommand = kit.makeUnixCommand("ls", { _chdir: "/tmp" });
  deepStrictEqual(made.renderForExec().text, "sh -c 'cd /tmp && ls'");
  deepStrictEqual(
    [base.name, connectError.name, classes[0].connectorName, typeof meta, names.length],
    ["BaseConnector", "ConnectError", "local", "object", 1],
  );
  deepStrictEqual([run, put.mode, typeof result, typeof context.runProcess], [
    {},
    "644",
    "function",
    "function",
  ]);
});

/** True only when both key sets are the same: a field added on one side and not the other fails `deno check`. */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false)
  : false;

Deno.test("the kit's declared shapes have exactly the fields of the connectors' own", () => {
  const checks: Record<string, true> = {
    RunOptions: true satisfies SameKeys<
      import("../../lib/api/connector.ts").RunOptions,
      import("../../connectors/base.ts").RunOptions
    >,
    PutOptions: true satisfies SameKeys<
      import("../../lib/api/connector.ts").PutOptions,
      import("../../connectors/base.ts").PutOptions
    >,
    CommandResult: true satisfies SameKeys<
      import("../../lib/api/connector.ts").CommandResult,
      import("../../connectors/base.ts").CommandResult
    >,
    NameData: true satisfies SameKeys<
      import("../../lib/api/connector.ts").NameData,
      import("../../connectors/base.ts").NameData
    >,
    // ConnectorContext is left out on purpose: spawnShell is skiff's own (@local), not the kit's.
    DataMeta: true satisfies SameKeys<
      import("../../lib/api/connector.ts").DataMeta,
      import("../../lib/core/data_meta.ts").DataMeta
    >,
    ProcessOptions: true satisfies SameKeys<
      import("../../lib/api/connector.ts").ProcessOptions,
      import("../../lib/process.ts").ProcessOptions
    >,
  };
  deepStrictEqual(Object.keys(checks).length, 6);
});
