import { strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { runSkiff } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

Deno.test("an error thrown in a helper module the deploy imports is reported at the helper's line", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(dir.join("lib"));
  await Deno.writeTextFile(
    dir.join("lib/settings.ts"),
    `export function settings(text: string): unknown {\n  return JSON.parse(text);\n}\n`,
  );
  await Deno.writeTextFile(
    dir.join("deploy.ts"),
    `import { settings } from "./lib/settings.ts";\n\nexport default function () {\n  settings("{not json");\n}\n`,
  );
  const run = await runSkiff(["deploy", "@local", dir.join("deploy.ts"), "-y"]);
  strictEqual(run.code, 1, run.stdout + run.stderr);
  assertIncludes(
    run.stdout,
    `[@local] failed: deploy deploy threw Expected property name or '}' in JSON at position 1 (line 1 column 2) at ${
      dir.join("lib/settings.ts")
    }:2:15\n`,
  );
});
