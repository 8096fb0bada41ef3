/**
 * `server.timezone` and `server.locale` inside a disposable Debian tree
 * (tests/helpers/debian_root.ts) through the real ChrootConnector: each
 * sequence runs as a dry run, then for real on a fresh tree, with the same
 * outcomes, descriptions and diffs. The cached tree has no `locales`
 * package: the /etc/locale.gen path runs against a fake `locale-gen`
 * (a script that records its run, named as such) and a written locale.gen.
 */

import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { ChrootConnector } from "../../connectors/chroot.ts";
import { runProcess } from "../../lib/process.ts";
import { debianRoot } from "../helpers/debian_root.ts";
import { localHarness } from "../helpers/ops.ts";
import { dryThenReal, shown, type Step, type StepOutcome } from "../helpers/predict.ts";

/** Runs `steps` dry then for real in a fresh tree prepared by `setup`; then `check` reads the tree. */
async function inTree(
  steps: Step[],
  setup: string,
  check: string,
): Promise<{ dry: StepOutcome[]; real: StepOutcome[]; after: string }> {
  await using root = await debianRoot();
  await root.sh(setup);
  const host = { name: "debian", data: { chroot_directory: root.path }, groups: ["all"] };
  const connector = new ChrootConnector(host, { runProcess });
  await connector.connect();
  try {
    const run = await dryThenReal({ host, connector }, steps);
    return { ...run, after: await root.sh(check) };
  } finally {
    await connector.disconnect();
  }
}

Deno.test("server.timezone links /etc/localtime and writes /etc/timezone once; refuses a zone that does not exist; its dry run predicts it", async () => {
  const run = await inTree(
    [
      ["server.timezone", "Europe/Berlin"],
      ["server.timezone", "Europe/Berlin"],
      ["server.timezone", "Mars/Olympus"],
      ["files.file", "/etc/timezone", { present: false }],
      ["server.timezone", "Europe/Berlin"],
      ["server.timezone", "UTC"],
      ["server.timezone", "UTC"],
    ],
    ":",
    "readlink /etc/localtime; cat /etc/timezone; stat -c %a /etc/timezone",
  );
  deepStrictEqual(shown(run.real), [
    "changed: time zone Etc/UTC -> Europe/Berlin\ntimezone: Etc/UTC → Europe/Berlin",
    "no change: time zone is Europe/Berlin\n",
    "failed",
    "changed: removed /etc/timezone\n",
    "changed: /etc/timezone (none) -> Europe/Berlin\n/etc/timezone: (none) → Europe/Berlin",
    "changed: time zone Europe/Berlin -> UTC\ntimezone: Europe/Berlin → UTC",
    "no change: time zone is UTC\n",
  ]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  strictEqual(
    run.real[2].description,
    `server.timezone: no time zone "Mars/Olympus" on debian: /usr/share/zoneinfo/Mars/Olympus does not exist`,
  );
  strictEqual(run.after, "/usr/share/zoneinfo/UTC\nUTC\n644");
});

Deno.test("server.locale sets LANG in /etc/default/locale once, generating it from /etc/locale.gen when present; its dry run predicts it", async () => {
  const FAKE_LOCALE_GEN =
    "printf '#!/bin/sh\\necho ran >> /tmp/locale-gen.runs\\n' > /usr/sbin/locale-gen && chmod 755 /usr/sbin/locale-gen";
  const run = await inTree(
    [
      ["server.locale", "C.UTF-8"],
      ["server.locale", "C.UTF-8"],
      ["server.locale", "de_DE.UTF-8"],
      ["server.locale", "de_DE.UTF-8"],
    ],
    `printf 'LC_TIME=C\\n' > /etc/default/locale; printf '# en_US.UTF-8 UTF-8\\n# de_DE.UTF-8 UTF-8\\n' > /etc/locale.gen; ${FAKE_LOCALE_GEN}`,
    "cat /etc/default/locale /etc/locale.gen /tmp/locale-gen.runs",
  );
  deepStrictEqual(shown(run.real), [
    "changed: edited /etc/default/locale\n--- /etc/default/locale\n+++ /etc/default/locale\n@@ -1,1 +1,2 @@\n LC_TIME=C\n+LANG=C.UTF-8",
    "no change: locale is C.UTF-8\n",
    "changed: edited /etc/locale.gen, ran locale-gen, edited /etc/default/locale\n" +
    "--- /etc/locale.gen\n+++ /etc/locale.gen\n@@ -1,2 +1,2 @@\n # en_US.UTF-8 UTF-8\n-# de_DE.UTF-8 UTF-8\n+de_DE.UTF-8 UTF-8\n" +
    "--- /etc/default/locale\n+++ /etc/default/locale\n@@ -1,2 +1,2 @@\n LC_TIME=C\n-LANG=C.UTF-8\n+LANG=de_DE.UTF-8",
    "no change: locale is de_DE.UTF-8\n",
  ]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  strictEqual(
    run.after,
    "LC_TIME=C\nLANG=de_DE.UTF-8\n# en_US.UTF-8 UTF-8\nde_DE.UTF-8 UTF-8\nran",
  );
});

Deno.test("server.locale without /etc/locale.gen creates /etc/default/locale", async () => {
  const run = await inTree(
    [["server.locale", "en_GB.UTF-8"], ["server.locale", "en_GB.UTF-8"]],
    "rm -f /etc/default/locale /etc/locale.gen",
    "stat -c %a /etc/default/locale; cat /etc/default/locale",
  );
  deepStrictEqual(shown(run.real), [
    "changed: created /etc/default/locale\n--- /dev/null\n+++ /etc/default/locale\n@@ -0,0 +1,1 @@\n+LANG=en_GB.UTF-8",
    "no change: locale is en_GB.UTF-8\n",
  ]);
  deepStrictEqual(shown(run.dry), shown(run.real));
  strictEqual(run.after, "644\nLANG=en_GB.UTF-8");
});

Deno.test("server.timezone and server.locale refuse bad names with an input error", async (t) => {
  const h = localHarness();
  const cases: [string, unknown, string][] = [
    [
      "server.timezone",
      "../../etc/passwd",
      `server.timezone tz: expected a zone name such as "Europe/Berlin", got "../../etc/passwd"`,
    ],
    [
      "server.timezone",
      "-x",
      `server.timezone tz: expected a zone name such as "Europe/Berlin", got "-x"`,
    ],
    [
      "server.locale",
      "-x",
      `server.locale locale: expected a locale such as "en_US.UTF-8", got "-x"`,
    ],
    [
      "server.locale",
      "en US",
      `server.locale locale: expected a locale such as "en_US.UTF-8", got "en US"`,
    ],
  ];
  for (const [name, arg, message] of cases) {
    await t.step(message, async () => {
      await rejects(h.op(name, arg), { name: "InputError", message });
    });
  }
});
