/**
 * `pip.venv` and `pip.packages` on @local (python3 with venv is installed
 * here), from wheels the test writes by hand, with `findLinks` (PyPI is
 * out of reach): each sequence as a dry run, then for real on the same
 * directory, which must agree but where the dry run cannot know (pip's
 * own dry run reads the host, so after an earlier change to the same
 * environment it says it depends on that change).
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { LocalConnector } from "../../connectors/local.ts";
import { packages as pipFact } from "../../lib/facts/pip.ts";
import { runProcess } from "../../lib/process.ts";
import { buildWheel } from "../helpers/lang_packages.ts";
import { localHarness } from "../helpers/ops.ts";
import { dryThenReal, shown, type Step } from "../helpers/predict.ts";
import { requireCommand } from "../helpers/require.ts";
import { tempDir } from "../helpers/temp.ts";

const HOST = { name: "@local", data: {}, groups: ["@local"] };
const runs = (steps: Step[]) =>
  dryThenReal({ host: HOST, connector: new LocalConnector(HOST, { runProcess }) }, steps);
const DEPENDS = "changed: depends on an earlier change\n";

Deno.test("pip.venv and pip.packages: first run changes, second does not, dry run predicts", async () => {
  await requireCommand("python3", "python3-venv");
  await using dir = await tempDir();
  const [venv, wheels, req] = [dir.join("venv"), dir.join("wheels"), dir.join("requirements.txt")];
  await Deno.mkdir(wheels);
  await buildWheel(wheels, "skiff_tiny", "1.0");
  await Deno.writeTextFile(req, "skiff-tiny==1.0\n");
  const pip = (options: Record<string, unknown>) => ({ venv, findLinks: wheels, ...options });
  const first = await runs([
    ["pip.venv", venv],
    ["pip.venv", venv],
    ["pip.packages", ["skiff_tiny==1.0"], pip({})],
    ["pip.packages", "skiff-tiny==1.0", pip({})],
    ["pip.packages", "Skiff.Tiny", pip({ present: false })],
    ["pip.packages", "skiff_tiny", pip({ present: false })],
  ]);
  deepStrictEqual(shown(first.real), [
    `changed: created virtual environment ${venv}\n`,
    `no change: virtual environment ${venv} exists\n`,
    "changed: installed skiff_tiny==1.0\n",
    "no change: skiff-tiny installed\n",
    "changed: removed skiff-tiny\n",
    "no change: skiff-tiny absent\n",
  ]);
  deepStrictEqual(shown(first.dry), shown(first.real));
  // The environment exists now: pip's own dry run says exactly what a requirements file installs.
  await buildWheel(wheels, "skiff_tiny", "2.0");
  const second = await runs([
    ["pip.packages", [], pip({ requirements: req })],
    ["pip.packages", "skiff_tiny==1.0", pip({})],
    ["pip.packages", "skiff_tiny", pip({ latest: true })],
    ["pip.packages", "skiff_tiny", pip({ latest: true })],
  ]);
  deepStrictEqual(shown(second.real), [
    `changed: installed from ${req}: skiff-tiny==1.0\n`,
    "no change: skiff-tiny installed\n",
    "changed: upgraded skiff-tiny 1.0 -> 2.0\n",
    "no change: skiff-tiny installed\n",
  ]);
  deepStrictEqual(shown(second.dry), [
    `changed: installed from ${req}: skiff-tiny==1.0\n`,
    "no change: skiff-tiny installed\n",
    DEPENDS,
    DEPENDS,
  ]);
  const h = localHarness();
  strictEqual((await h.session.fact(pipFact, venv))["skiff-tiny"], "2.0");
  strictEqual(
    (await runProcess([`${venv}/bin/python`, "-c", "import skiff_tiny; print(skiff_tiny.VERSION)"]))
      .output.stdout,
    "2.0",
  );
  // Untouched by earlier steps, a dry run of an install states what pip's dry run would install.
  const third = await runs([
    ["pip.packages", "skiff_tiny==1.0", pip({})],
    ["pip.packages", "skiff_tiny==1.0", pip({})],
  ]);
  deepStrictEqual(shown(third.real), [
    "changed: installed skiff_tiny==1.0\n",
    "no change: skiff-tiny installed\n",
  ]);
  deepStrictEqual(shown(third.dry), shown(third.real));
});

Deno.test("pip operations refuse bad input with an input error naming the operation and argument", async (t) => {
  const h = localHarness();
  const cases: [string, unknown[], string][] = [
    ["pip.venv", ["-x"], `pip.venv path: a path must not start with "-", got "-x"`],
    [
      "pip.venv",
      ["/tmp/v", { python: "-c" }],
      `pip.venv python: expected a command or path such as "python3.11", got "-c"`,
    ],
    [
      "pip.packages",
      [["--index-url=http://x"]],
      `pip.packages packages: expected "name" or "name==version", got "--index-url=http://x"`,
    ],
    [
      "pip.packages",
      [[]],
      "pip.packages packages: expected a package spec or a list of them, got []",
    ],
    [
      "pip.packages",
      ["a", { findLinks: "-f" }],
      `pip.packages findLinks: expected a directory or URL, got "-f"`,
    ],
    [
      "pip.packages",
      ["a", { latest: "yes" }],
      `pip.packages: option "latest" must be true or false, got "yes"`,
    ],
    [
      "pip.packages",
      ["a", { requirements: "/r.txt" }],
      "pip.packages requirements: give either packages or requirements, and only to install",
    ],
  ];
  for (const [name, args, message] of cases) {
    await t.step(`${name} ${JSON.stringify(args)}`, async () => {
      await rejects(h.op(name, ...args), { name: "InputError", message });
    });
  }
});
