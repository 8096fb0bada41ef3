import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { API_SOURCES, deployTypes } from "../../lib/cli/types_cmd.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const API_DIR = new URL("../../lib/api/", import.meta.url);

/** A deploy that touches every part of the API a deploy author uses. */
const SAMPLE = `import type {
  ControlArguments,
  DeployContext,
  DeployModule,
  Interpolation,
  OpControl,
  OperationResult,
  StdinValue,
} from "./skiff.d.ts";

export const defaults: OpControl = { _sudo: true, _retry_until: (r) => !r.success };
const stdin: StdinValue = ["a", "b"];
const env: ControlArguments["_env"] = { LANG: "C" };
const control: OpControl = { _stdin: stdin, _env: env };

export default async function (ctx: DeployContext): Promise<void> {
  const password = ctx.secret("hunter2");
  const args: Interpolation = ["-e", "select 1", password];
  const cmd = ctx.sh\`mysql -p\${password} \${args} \${1} \${true}\`;
  const result: OperationResult = await ctx.ops.server.shell(cmd, control);
  if (result.changed) ctx.log(cmd.renderMasked());
  await ctx.ops.apt.packages("nginx", { noRecommends: true }, { _sudo: true });
  const stat = await ctx.facts.files.stat("/etc");
  if (stat?.type === "directory" && ctx.host.groups.includes("web")) ctx.log(stat.user);
}

export const module: Omit<DeployModule, "default"> = { name: "sample", defaults };
`;

async function exportedNames(file: string): Promise<string[]> {
  const source = await Deno.readTextFile(new URL(file, API_DIR));
  return [
    ...source.matchAll(
      /^export (?:interface|type|declare (?:abstract )?class|const|function|class) (\w+)/gm,
    ),
  ]
    .map((match) => match[1]);
}

async function denoCheck(dir: string, file: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", file],
    cwd: dir,
    env: { NO_COLOR: "1" },
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

async function apiFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(API_DIR)) {
    if (entry.isFile && entry.name.endsWith(".ts")) files.push(entry.name);
  }
  return files.sort();
}

Deno.test("deployTypes() bundles exactly the files of lib/api", async () => {
  const files = await apiFiles();
  deepStrictEqual(Object.keys(API_SOURCES).sort(), files);
  for (const name of files) {
    strictEqual(API_SOURCES[name], await Deno.readTextFile(new URL(name, API_DIR)), name);
  }
});

Deno.test("deployTypes() declares every name lib/api exports, and imports nothing", async () => {
  const text = deployTypes();
  const missing: string[] = [];
  let count = 0;
  for (const file of await apiFiles()) {
    for (const name of await exportedNames(file)) {
      count++;
      if (
        !new RegExp(`^export (interface|type|declare (abstract )?class) ${name}\\b`, "m").test(text)
      ) {
        missing.push(`${file}: ${name}`);
      }
    }
  }
  deepStrictEqual(missing, []);
  strictEqual(count >= 20, true, `only ${count} exported names found in lib/api`);
  deepStrictEqual(text.match(/^(import|export .* from) .*$/gm), null);
});

Deno.test("deployTypes() is a standalone .d.ts that deno check accepts with a deploy", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(dir.join("skiff.d.ts"), deployTypes());
  await Deno.writeTextFile(dir.join("deploy.ts"), SAMPLE);
  const types = await denoCheck(dir.path, "skiff.d.ts");
  strictEqual(types.code, 0, types.stderr);
  const deploy = await denoCheck(dir.path, "deploy.ts");
  strictEqual(deploy.code, 0, deploy.stderr);
  await Deno.writeTextFile(dir.join("bad.ts"), SAMPLE.replace(`"nginx"`, "42"));
  const bad = await denoCheck(dir.path, "bad.ts");
  strictEqual(bad.code, 1, bad.stderr);
});

const EXAMPLES = new URL("../../fleets/examples/", import.meta.url);

Deno.test("fleets/examples/skiff.d.ts is what `skiff types` writes today", async () => {
  strictEqual(
    await Deno.readTextFile(new URL("skiff.d.ts", EXAMPLES)),
    deployTypes(),
    "run `deno task skiff types fleets/examples` after changing lib/api",
  );
});

Deno.test("skiff types DIR writes the types the example connectors and boat check against", async () => {
  await using dir = await tempDir();
  const written = await runSkiff(["types", dir.path]);
  deepStrictEqual([written.code, written.stdout], [0, `Wrote ${dir.join("skiff.d.ts")}\n`]);
  const examples: string[] = [];
  for await (const entry of Deno.readDir(EXAMPLES)) {
    if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) examples.push(entry.name);
  }
  strictEqual(examples.length >= 2, true, `examples: ${examples.join(", ")}`);
  for (const name of examples.sort()) {
    const source = await Deno.readTextFile(new URL(name, EXAMPLES));
    deepStrictEqual(
      [...source.matchAll(/^import\b[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1])
        .filter((specifier) => specifier !== "./skiff.d.ts"),
      [],
      `${name} imports only the written types`,
    );
    await Deno.writeTextFile(dir.join(name), source);
    const checked = await denoCheck(dir.path, name);
    strictEqual(checked.code, 0, `${name}: ${checked.stderr}`);
  }
  await Deno.writeTextFile(
    dir.join("bad.ts"),
    (await Deno.readTextFile(new URL("echo_connector.ts", EXAMPLES)))
      .replace("kit.extractControlArguments(options)", "kit.extractControlArguments(42)"),
  );
  strictEqual((await denoCheck(dir.path, "bad.ts")).code, 1);
});

Deno.test("skiff types refuses a path that is neither a directory nor a .d.ts file", async () => {
  await using dir = await tempDir();
  const run = await runSkiff(["types", "types.ts"], { cwd: dir.path });
  deepStrictEqual(
    [run.code, run.stderr],
    [2, `error: skiff types: give a directory or a file name ending in .d.ts, got "types.ts"\n`],
  );
});
