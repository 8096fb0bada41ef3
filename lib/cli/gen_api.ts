/**
 * `deno task gen`: writes what is derived from the operations' definitions
 * and the facts' signatures: `lib/api/operations.ts` and `lib/api/ops_*.ts`
 * (the deploy API's `Operations` and `Facts`) and the README's operation and fact tables, all formatted
 * by `deno fmt`. `deno task gen --check` writes nothing and exits 1 when
 * either is stale.
 *
 * @module
 */

import { apiFilesText, readmeFactsText, readmeTableText } from "../operations/api_text.ts";

const ROOT = new URL("../../", import.meta.url);
/** The tables of the README written from the definitions, by the name in their markers. */
const TABLES: Readonly<Record<string, () => string>> = {
  operations: readmeTableText,
  facts: readmeFactsText,
};

/**
 * Formats text as `deno fmt` formats a file of that extension, with the
 * project's settings.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { formatted } from "./gen_api.ts";
 * strictEqual(await formatted("const  a=1", "ts"), "const a = 1;\n");
 * ```
 */
export async function formatted(text: string, ext: "ts" | "md"): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", `--ext=${ext}`, "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`deno fmt: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

/** `readme` with its tables replaced by the ones the definitions give. */
function withTables(readme: string): string {
  let text = readme;
  for (const [name, table] of Object.entries(TABLES)) {
    const startMarker = `<!-- ${name} table: written by \`deno task gen\` -->`;
    const start = text.indexOf(startMarker);
    const end = text.indexOf(`<!-- end of ${name} table -->`);
    if (start < 0 || end < start) {
      throw new Error(`README.md: the ${name} table markers are missing`);
    }
    text = `${text.slice(0, start + startMarker.length)}\n\n${table()}\n${text.slice(end)}`;
  }
  return text;
}

/**
 * Every generated file by path from the repository root, as it should be.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { generatedFiles } from "./gen_api.ts";
 * strictEqual(Object.keys(await generatedFiles()).includes("lib/api/ops_files.ts"), true);
 * ```
 */
export async function generatedFiles(): Promise<Record<string, string>> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(apiFilesText())) {
    files[`lib/api/${name}`] = await formatted(text, "ts");
  }
  files["README.md"] = await formatted(withTables(readme), "md");
  return files;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let stale = 0;
  for (const [path, text] of Object.entries(await generatedFiles())) {
    const url = new URL(path, ROOT);
    if ((await Deno.readTextFile(url).catch(() => "")) === text) continue;
    stale++;
    if (check) console.error(`${path} is stale: run deno task gen`);
    else {
      await Deno.writeTextFile(url, text);
      console.log(`Wrote ${path}`);
    }
  }
  if (check && stale > 0) Deno.exit(1);
}
