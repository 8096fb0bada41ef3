import { deepStrictEqual } from "node:assert/strict";
import type {
  Command as DeployCommand,
  ControlArguments as DeployControlArguments,
  DeployContext,
  Interpolation as DeployInterpolation,
  RawValue as DeployRawValue,
  SecretValue as DeploySecretValue,
} from "../../lib/api/mod.ts";
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
