import { ok, strictEqual } from "node:assert/strict";
import { assertIncludes } from "../helpers/assert_text.ts";
import { skiffArgs, TEST_RUN_LOCK } from "../helpers/cli.ts";
import { tempDir } from "../helpers/temp.ts";

const CHEAP = new URL("../helpers/cheap_connector.ts", import.meta.url).pathname;

/** Colour codes (the cursor moves stay). */
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

/** POSIX single quotes, for the command line `script -c` runs. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

Deno.test("the live view in a 10-row terminal: a progress line, 7 hosts, and +N more running", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(
    dir.join("slow.ts"),
    `export default async function ({ ops }) {\n  await ops.server.shell("sleep 1");\n}\n`,
  );
  const targets = Array.from({ length: 30 }, (_, i) => `@cheap/h${i + 1}`).join(",");
  const skiff = [
    Deno.execPath(),
    ...skiffArgs([
      "deploy",
      targets,
      dir.join("slow.ts"),
      "-y",
      "--connector",
      CHEAP,
      "--parallel",
      "30",
    ]),
  ].map(quote).join(" ");
  // script(1) gives skiff a real terminal of 10 rows and 100 columns.
  const run = await new Deno.Command("script", {
    args: ["-qfec", `stty rows 10 cols 100; unset NO_COLOR; ${skiff}`, "/dev/null"],
    env: { TERM: "xterm", SKIFF_RUN_LOCK: TEST_RUN_LOCK },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const screen = new TextDecoder().decode(run.stdout).replace(COLOUR, "")
    .replaceAll("\r", "");
  strictEqual(run.code, 0, screen);
  // Every block drawn (what follows an erase, up to the next cursor-up) fits in 9 rows.
  const blocks = screen.split("\x1b[J").slice(1).map((chunk) =>
    chunk.split("\x1b[")[0].trimEnd().split("\n")
  ).filter((block) => block[0].startsWith("hosts "));
  ok(blocks.length > 0, screen);
  ok(blocks.every((block) => block.length <= 9), JSON.stringify(blocks));
  const full = blocks.find((block) => block.at(-1)!.endsWith("more running"))!;
  ok(full, JSON.stringify(blocks));
  strictEqual(full.length, 9);
  ok(/^hosts \d+\/30 done · \d+ running · 0 failed · ops \d+ · 00:0\d$/.test(full[0]), full[0]);
  const running = Number(/· (\d+) running/.exec(full[0])![1]);
  strictEqual(full[8], `+${running - 7} more running`);
  ok(full.slice(1, 8).every((line) => line.startsWith("[@cheap/h")), JSON.stringify(full));
  assertIncludes(screen, "30 host(s): 30 succeeded, 0 failed");
});
