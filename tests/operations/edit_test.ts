import { strictEqual, throws } from "node:assert/strict";
import { editBlock, editLine } from "../../lib/operations/files.ts";

Deno.test("editLine() ensures an exact line", async (t) => {
  const cases: [string, string, string, Parameters<typeof editLine>[2], string][] = [
    ["appends a missing line", "a\n", "b", {}, "a\nb\n"],
    ["keeps a present line", "a\nb\n", "b", {}, "a\nb\n"],
    ["adds a newline before appending", "a", "b", {}, "a\nb\n"],
    ["keeps a file without trailing newline when the line is there", "a\nb", "b", {}, "a\nb"],
    ["empty file", "", "x", {}, "x\n"],
    ["regex characters are literal in the line", "a.b\n", "a+b*", {}, "a.b\na+b*\n"],
    ["literal line with regex characters is found", "a+b*\n", "a+b*", {}, "a+b*\n"],
    [
      "a similar line is not the line",
      "listen=80801\n",
      "listen=8080",
      {},
      "listen=80801\nlisten=8080\n",
    ],
    [
      "match replaces every matching line",
      "w=1\nx\nw=2\n",
      "w=4",
      { match: /^w=/ },
      "w=4\nx\nw=4\n",
    ],
    ["match already satisfied", "w=4\n", "w=4", { match: /^w=/ }, "w=4\n"],
    ["match absent appends", "x\n", "w=4", { match: /^w=/ }, "x\nw=4\n"],
    ["present false removes", "a\nb\na\n", "a", { present: false }, "b\n"],
    ["present false with nothing to remove", "b", "a", { present: false }, "b"],
    ["present false with match", "w=1\nx\n", "w=4", { present: false, match: /^w=/ }, "x\n"],
  ];
  for (const [name, text, line, options, expected] of cases) {
    await t.step(name, () => strictEqual(editLine(text, line, options), expected));
  }
  await t.step(
    "a newline in the line is an input error",
    () =>
      throws(() => editLine("", "a\nb", {}), {
        name: "InputError",
        message: "files.line: the line must not contain a newline",
      }),
  );
});

Deno.test("editBlock() inserts, replaces and removes a marked block", async (t) => {
  const marker = "# {mark} m";
  await t.step(
    "insert",
    () => strictEqual(editBlock("x\n", "a\nb", { marker }), "x\n# BEGIN m\na\nb\n# END m\n"),
  );
  await t.step(
    "replace",
    () =>
      strictEqual(
        editBlock("x\n# BEGIN m\nold\n# END m\ny\n", "new", { marker }),
        "x\n# BEGIN m\nnew\n# END m\ny\n",
      ),
  );
  await t.step("unchanged", () => {
    const text = "# BEGIN m\nnew\n# END m\n";
    strictEqual(editBlock(text, "new\n", { marker }), text);
  });
  await t.step(
    "remove",
    () =>
      strictEqual(
        editBlock("x\n# BEGIN m\nold\n# END m\ny\n", "", { marker, present: false }),
        "x\ny\n",
      ),
  );
  await t.step(
    "default marker",
    () =>
      strictEqual(
        editBlock("", "a", {}),
        "# BEGIN SKIFF MANAGED BLOCK\na\n# END SKIFF MANAGED BLOCK\n",
      ),
  );
  await t.step(
    "marker without {mark}",
    () =>
      throws(() => editBlock("", "a", { marker: "#" }), {
        message: `files.block: the marker must contain "{mark}"`,
      }),
  );
});
