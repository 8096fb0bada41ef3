import { AssertionError, deepStrictEqual, throws } from "node:assert/strict";
import { assertEndsWith, assertExcludes, assertIncludes, assertStartsWith } from "./assert_text.ts";

Deno.test("assertIncludes() and friends pass on a match and show the actual text when not", async (t) => {
  const printed = "[@local] ok\n1 host(s): 1 ok, 0 failed\n";
  await t.step("passing", () => {
    assertIncludes(printed, "1 ok, 0 failed\n");
    assertIncludes(printed.split("\n"), "[@local] ok");
    assertExcludes(printed, "failed:");
    assertStartsWith(printed, "[@local] ");
    assertEndsWith(printed, "failed\n");
  });
  const cases: [string, () => void, string][] = [
    ["includes", () => assertIncludes(printed, "2 ok"), "Expected to include:\n2 ok\n"],
    ["line", () => assertIncludes(printed.split("\n"), "ok"), "Expected to include:\nok\n"],
    ["excludes", () => assertExcludes(printed, "ok"), "Expected not to include:\nok\n"],
    ["startsWith", () => assertStartsWith(printed, "ok"), "Expected to start with:\nok\n"],
    ["endsWith", () => assertEndsWith(printed, "ok"), "Expected to end with:\nok\n"],
  ];
  for (const [name, fn, start] of cases) {
    await t.step(name, () => {
      throws(fn, (error) => {
        deepStrictEqual(error instanceof AssertionError, true);
        deepStrictEqual(
          (error as Error).message,
          `${start}--- actual ---\n[@local] ok\n1 host(s): 1 ok, 0 failed\n`,
        );
        return true;
      });
    });
  }
  await t.step("undefined fails and a message comes first", () => {
    throws(() => assertStartsWith(undefined, "x", "no error"), {
      message: "no error\nExpected to start with:\nx\n--- actual ---\n(undefined)",
    });
    throws(() => assertExcludes(undefined, "x"), AssertionError);
  });
});
