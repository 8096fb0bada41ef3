/**
 * `deno task release`: compiles skiff for every target with exactly the
 * arguments of `deno task compile` (permission flags, runtime flags, the
 * embedded workers) and writes dist/SHA256SUMS. Needs Deno's `denort` base
 * binaries (downloaded by deno compile, or DENORT_BIN).
 *
 * @module
 */

import { PERMISSION_FLAGS, RUNTIME_FLAGS } from "./permissions.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The `deno compile` arguments of the `compile` task in deno.json, with the
 * flag files expanded, writing to `output` (and building for `target`).
 */
export async function compileArgs(output: string, target?: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const task = (config.tasks.compile as string)
    .replace(/^deno compile /, "")
    .replace("$(cat lib/build/permissions.flags)", PERMISSION_FLAGS.join(" "))
    .replace("$(cat lib/build/runtime.flags)", RUNTIME_FLAGS.join(" "));
  if (task.includes("$(") || !task.includes("--output dist/skiff ")) {
    throw new Error(`deno.json's compile task has an unexpected shape: ${task}`);
  }
  const args = task.replace("--output dist/skiff ", "").split(/\s+/);
  const entry = args.pop()!;
  return [...args, ...(target ? ["--target", target] : []), "--output", output, entry];
}

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
];

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

if (import.meta.main) {
  const root = ROOT;
  const targets = Deno.args.length > 0 ? Deno.args : TARGETS;
  await Deno.mkdir(`${root}dist`, { recursive: true });
  const sums: string[] = [];
  for (const target of targets) {
    const output = `dist/skiff-${target}`;
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["compile", ...await compileArgs(output, target)],
      cwd: root,
      stdout: "inherit",
      stderr: "piped",
    }).output();
    if (!result.success) {
      const error = new TextDecoder().decode(result.stderr);
      console.error(
        `Could not build ${target}: ${error.trim().split("\n").slice(-3).join(" ")}\n` +
          "deno compile downloads its denort base binary for each target; where that is impossible, set DENORT_BIN " +
          "to a denort of the matching target and build one target at a time (deno task release TARGET)",
      );
      Deno.exit(1);
    }
    sums.push(`${await sha256(`${root}${output}`)}  skiff-${target}`);
  }
  await Deno.writeTextFile(`${root}dist/SHA256SUMS`, sums.join("\n") + "\n");
  console.log(`Wrote ${targets.length} binaries and dist/SHA256SUMS`);
}
