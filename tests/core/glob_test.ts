import { strictEqual } from "node:assert/strict";
import { globRegExp, isGlob } from "../../lib/core/glob.ts";

Deno.test("globRegExp() matches as fnmatch does", async (t) => {
  const table: [string, string, boolean, { pathname?: boolean; ignoreCase?: boolean }?][] = [
    ["web*", "web12", true],
    ["web?", "web12", false],
    ["web?", "web1", true],
    ["web[0-3]", "web2", true],
    ["web[0-3]", "web4", false],
    ["web[!0-3]", "web4", true],
    ["web[!0-3]", "web2", false],
    ["a.b", "axb", false],
    ["a+b", "a+b", true],
    ["x[", "x[", true],
    ["*.conf", "a/b.conf", true],
    ["*.conf", "a/b.conf", false, { pathname: true }],
    ["?", "/", false, { pathname: true }],
    ["WEB*", "web1", false],
    ["WEB*", "web1", true, { ignoreCase: true }],
  ];
  for (const [glob, name, expected, options] of table) {
    await t.step(`${glob} ~ ${name}${options ? ` ${JSON.stringify(options)}` : ""}`, () => {
      strictEqual(globRegExp(glob, options).test(name), expected);
    });
  }
});

Deno.test("isGlob() tells wildcards from plain names", () => {
  strictEqual(isGlob("web1"), false);
  strictEqual(isGlob("web*"), true);
  strictEqual(isGlob("web?"), true);
  strictEqual(isGlob("web[12]"), true);
});
