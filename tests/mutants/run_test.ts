import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { mutate, sample } from "./run.ts";
import { MUTANTS } from "./table.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("the mutation table is fresh: every row's text occurs exactly once in its file", async () => {
  const ids = MUTANTS.map((m) => m.id);
  deepStrictEqual(ids, [...new Set(ids)]);
  for (const mutant of MUTANTS) {
    const text = await Deno.readTextFile(`${ROOT}${mutant.file}`);
    strictEqual(text.split(mutant.original).length - 1, 1, `${mutant.id} in ${mutant.file}`);
    for (const test of mutant.tests) {
      strictEqual((await Deno.stat(`${ROOT}${test}`)).isFile, true, `${mutant.id}: ${test}`);
    }
  }
});

Deno.test("mutate() replaces the one occurrence and refuses a stale row", () => {
  const row = { id: "x", file: "f.ts", original: "a + b", replacement: "a - b", tests: [] };
  strictEqual(mutate("return a + b;", row), "return a - b;");
  throws(
    () => mutate("return a * b;", row),
    { message: 'Mutant x: "a + b" occurs 0 times in f.ts, not once (stale row)' },
  );
  throws(() => mutate("a + b; a + b", row), /occurs 2 times/);
  strictEqual(mutate("x = $&", { ...row, original: "x", replacement: "$&y" }), "$&y = $&");
});

Deno.test("sample() picks the same rows spread over the table", () => {
  deepStrictEqual(sample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [0, 3, 6]);
  deepStrictEqual(sample([0, 1, 2], 5), [0, 1, 2]);
});
