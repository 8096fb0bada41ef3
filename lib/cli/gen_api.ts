/**
 * `deno task gen`: writes what is derived from the operations' definitions
 * and the facts' signatures: `lib/api/operations.ts` and `lib/api/ops_*.ts`
 * (the deploy API's `Operations` and `Facts`) and the README's operation table, both formatted
 * by `deno fmt`. `deno task gen --check` writes nothing and exits 1 when
 * either is stale.
 *
 * @module
 */

import { apiFilesText, readmeTableText } from "../operations/api_text.ts";

const ROOT = new URL("../../", import.meta.url);
/** The markers around the README's operation table. */
export const TABLE_START = "<!-- operations table: written by `deno task gen` -->";
/** The end marker. */
export const TABLE_END = "<!-- end of operations table -->";

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

/** `readme` with its operation table replaced by the one the definitions give. */
function withTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error("README.md: the operations table markers are missing");
  }
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${readmeTableText()}\n${
    readme.slice(end)
  }`;
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
  files["README.md"] = await formatted(withTable(readme), "md");
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
