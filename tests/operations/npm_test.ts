/**
 * `npm.packages` on @local in a temporary project directory, from tarballs
 * the test packs itself (`npm pack`): a dry run, then for real, which must
 * agree.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { packages as npmFact } from "../../lib/facts/npm.ts";
import { runProcess } from "../../lib/process.ts";
import { packNpm } from "../helpers/lang_packages.ts";
import { localHarness } from "../helpers/ops.ts";
import { dryThenReal, shown } from "../helpers/predict.ts";
import { requireCommand } from "../helpers/require.ts";
import { tempDir } from "../helpers/temp.ts";

const HOST = { name: "@local", data: {}, groups: ["@local"] };

Deno.test("npm.packages installs from a local tarball once, pins a version, removes; its dry run predicts it", async () => {
  await requireCommand("npm", "npm");
  await using dir = await tempDir();
  const app = dir.join("app");
  const one = await packNpm(dir.path, "skiff-tiny", "1.0.0");
  const two = await packNpm(dir.path, "skiff-tiny", "2.0.0");
  const run = await dryThenReal(
    { host: HOST, connector: new LocalConnector(HOST, { runProcess }) },
    [
      ["npm.packages", [`skiff-tiny@file:${one}`], { dir: app }],
      ["npm.packages", [`skiff-tiny@file:${one}`], { dir: app }],
      ["npm.packages", "skiff-tiny@1.0.0", { dir: app }],
      ["npm.packages", "skiff-tiny", { dir: app, present: false }],
      ["npm.packages", "skiff-tiny", { dir: app, present: false }],
      ["npm.packages", `skiff-tiny@file:${two}`, { dir: app }],
    ],
  );
  deepStrictEqual(shown(run.real), [
    `changed: installed skiff-tiny@file:${one}\n`,
    "no change: skiff-tiny installed\n",
    "no change: skiff-tiny installed\n",
    "changed: removed skiff-tiny\n",
    "no change: skiff-tiny absent\n",
    `changed: installed skiff-tiny@file:${two}\n`,
  ]);
  // The dry run cannot know the version a tarball holds: the pinned step depends on it.
  deepStrictEqual(shown(run.dry), [
    ...shown(run.real).slice(0, 2),
    "changed: depends on an earlier change\n",
    ...shown(run.real).slice(3),
  ]);
  const h = localHarness();
  deepStrictEqual(await h.session.fact(npmFact, app), { "skiff-tiny": "2.0.0" });
  strictEqual(
    JSON.parse(await Deno.readTextFile(`${app}/node_modules/skiff-tiny/package.json`)).version,
    "2.0.0",
  );
  const again = await dryThenReal(
    { host: HOST, connector: new LocalConnector(HOST, { runProcess }) },
    [["npm.packages", ["skiff-tiny@2.0.0"], { dir: app }]],
  );
  deepStrictEqual(shown(again.real), ["no change: skiff-tiny installed\n"]);
  deepStrictEqual(shown(again.dry), shown(again.real));
  deepStrictEqual(await h.session.fact(npmFact, dir.join("nothing-here")), {});
});

Deno.test("npm.packages refuses bad input with an input error naming the argument", async (t) => {
  const h = localHarness();
  const cases: [unknown[], string][] = [
    [["x"], "npm.packages dir: a project directory is required (or global: true)"],
    [
      ["--global", { dir: "/tmp/a" }],
      `npm.packages packages: expected "name", "name@version" or "name@file:PATH", got "--global"`,
    ],
    [
      ["Upper", { dir: "/tmp/a" }],
      `npm.packages packages: expected "name", "name@version" or "name@file:PATH", got "Upper"`,
    ],
    [["x", { dir: "-C" }], `npm.packages dir: a path must not start with "-", got "-C"`],
    [["x", { global: "yes" }], `npm.packages: option "global" must be true or false, got "yes"`],
    [
      [{ packages: "x", dir: "/tmp/a" }],
      'npm.packages: the packages comes first, then the options: ops.npm.packages(["left-pad@1.3.0"], { dir: "/srv/app" })',
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(JSON.stringify(args), async () => {
      await rejects(h.op("npm.packages", ...args), { name: "InputError", message });
    });
  }
});
