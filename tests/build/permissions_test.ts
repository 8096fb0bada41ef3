import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { flagName, PERMISSION_FLAGS, PERMISSION_REASONS } from "../../lib/build/permissions.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("PERMISSION_FLAGS never grant everything", () => {
  for (const flag of PERMISSION_FLAGS) {
    strictEqual(
      ["-A", ["--allow", "all"].join("-"), "--allow-ffi"].includes(flagName(flag)),
      false,
      flag,
    );
  }
  deepStrictEqual(PERMISSION_FLAGS.map(flagName), Object.keys(PERMISSION_REASONS));
});

Deno.test("the README's permission table matches lib/build/permissions.flags", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const rows = readme.split("\n").filter((line) => /^\| `--(allow|ignore|no)-/.test(line));
  const table = rows.map((row) => row.split("|").slice(1, -1).map((cell) => cell.trim()));
  deepStrictEqual(
    table,
    Object.entries(PERMISSION_REASONS).map((
      [flag, reason],
    ) => [`\`${flag}\``, reason.why, reason.without]),
  );
});

Deno.test("deno.json tasks take their flags from lib/build/permissions.flags and lib/build/runtime.flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const both = "$(cat lib/build/permissions.flags) $(cat lib/build/runtime.flags)";
  strictEqual(config.tasks.skiff.includes(`${both} main.ts`), true);
  strictEqual(config.tasks.compile.includes(both), true);
});

Deno.test("nothing in the repository grants every permission", async () => {
  const offenders: string[] = [];
  // The allow-everything flag anywhere, or its short form on a deno command line.
  const pattern = new RegExp(["--allow", "-all\\b|\\bdeno\\s+\\w+\\b[^\\n]*\\s-A\\b"].join(""));
  const walk = async (dir: URL, rel: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if ([".git", "dist", "node_modules"].includes(entry.name)) continue;
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      if (entry.isDirectory) await walk(url, `${rel}${entry.name}/`);
      else if (/\.(ts|json|md|sh|flags)$|^run$/.test(entry.name)) {
        const text = await Deno.readTextFile(url);
        if (pattern.test(text)) offenders.push(`${rel}${entry.name}`);
      }
    }
  };
  await walk(ROOT, "");
  deepStrictEqual(offenders, []);
});
